package io.haproxyconsul.operator.runtime;

import java.io.IOException;
import java.util.List;

/** The Runtime API (CLI) of one running HAProxy. */
public interface RuntimeApi {

    /**
     * Runs the commands in order over one connection.
     *
     * @return each command's answer, in the same order
     * @throws IOException when the HAProxy cannot be reached or drops the connection
     */
    List<String> run(String host, int port, List<String> commands) throws IOException;
}
