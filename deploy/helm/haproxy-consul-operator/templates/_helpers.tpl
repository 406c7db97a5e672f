{{/* The chart's name: app.kubernetes.io/name. */}}
{{- define "hco.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of every object: the release name when it already contains the chart's name (release
"haproxy-consul-operator" gives the names of deploy/base), <release>-<chart> otherwise.
*/}}
{{- define "hco.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "hco.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels of every object; deploy/base's two plus Helm's usual ones. */}}
{{- define "hco.labels" -}}
{{ include "hco.selectorLabels" . }}
app.kubernetes.io/part-of: haproxy-consul-operator
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The operator pods' labels. The instance keeps two releases from selecting each other's pods. */}}
{{- define "hco.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hco.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "hco.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
The operator's permissions, the rules of deploy/base/rbac.yaml (keep them equal: DeployManifestsIT compares
them): bindings and their status, ConfigMaps, get on the Secrets a binding names, each fleet's Deployment,
Service and PodDisruptionBudget, read-only pods, Events and the leader-election Lease. No pods/exec, no pod
writes, no Secret listing.
*/}}
{{- define "hco.rules" -}}
- apiGroups: ["haproxyconsul.io"]
  resources: ["haproxyconsulbindings"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["haproxyconsul.io"]
  resources: ["haproxyconsulbindings/status", "haproxyconsulbindings/finalizers"]
  verbs: ["get", "patch", "update"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "delete"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "patch", "update", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
# The fleet pods' readiness gate (haproxyconsul.io/servers-synced): the only pod write.
- apiGroups: [""]
  resources: ["pods/status"]
  verbs: ["patch"]
# get: the Secrets a binding names; create: each fleet's Runtime API keys (never listed, never updated).
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "create"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "create", "update", "patch"]
{{- end }}
