package io.haproxyconsul.operator.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.List;

/** One binary, two uses: {@code render ...} previews a configuration without a cluster; anything else runs the operator. */
@QuarkusMain
public class OperatorMain {

    public static void main(String... args) {
        // Images pass -D settings first (Dockerfile.native's entrypoint): the command is the first other word.
        int first = 0;
        while (first < args.length && args[first].startsWith("-D")) {
            first++;
        }
        if (first < args.length && RenderCommand.NAME.equals(args[first])) {
            System.exit(RenderCommand.run(List.of(args).subList(first + 1, args.length), System.out, System.err));
        }
        Quarkus.run(args);
    }
}
