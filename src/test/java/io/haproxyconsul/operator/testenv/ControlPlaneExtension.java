package io.haproxyconsul.operator.testenv;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests one {@link ControlPlane} for the whole run (starting one costs seconds), stopped when the run
 * ends, whether it passed or not. Each test works in a namespace of its own.
 */
public final class ControlPlaneExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ControlPlane.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(Shared.class, key -> new Shared(ControlPlane.start()), Shared.class).plane;
    }

    private record Shared(ControlPlane plane) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            plane.close();
        }
    }
}
