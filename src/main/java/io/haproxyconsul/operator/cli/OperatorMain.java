package io.haproxyconsul.operator.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.List;

/** One binary, two uses: {@code render ...} previews a configuration without a cluster; anything else runs the operator. */
@QuarkusMain
public class OperatorMain {

    public static void main(String... args) {
        if (args.length > 0 && RenderCommand.NAME.equals(args[0])) {
            System.exit(RenderCommand.run(List.of(args).subList(1, args.length), System.out, System.err));
        }
        Quarkus.run(args);
    }
}
