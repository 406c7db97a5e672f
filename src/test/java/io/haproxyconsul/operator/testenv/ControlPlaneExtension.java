package io.haproxyconsul.operator.testenv;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests one {@link ControlPlane} for the whole run (starting one costs seconds), stopped when the run
 * ends, whether it passed or not. Each test works in a namespace of its own. {@link WithNode} gives one with a
 * {@link RealNode} instead, for tests of pods.
 */
public class ControlPlaneExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ControlPlane.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(getClass(), key -> new Shared(startPlane()), Shared.class).plane;
    }

    ControlPlane startPlane() {
        return ControlPlane.start();
    }

    /** A control plane with a real node, shared by every test of the run that asks for one. */
    public static final class WithNode extends ControlPlaneExtension {
        @Override
        ControlPlane startPlane() {
            return ControlPlane.startWithNode();
        }
    }

    private record Shared(ControlPlane plane) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            plane.close();
        }
    }
}
