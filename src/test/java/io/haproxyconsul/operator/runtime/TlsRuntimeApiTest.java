package io.haproxyconsul.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class TlsRuntimeApiTest {

    @Test
    void everyCommandGetsItsOwnAnswerFromAnInteractiveTranscript() throws IOException {
        // HAProxy's prompt mode, as 2.6 prints it for: show servers state, set (no answer), set (an error).
        String transcript = "\n> 1\n# be_id be_name\n3 b 1 s1\n\n> \n> No such server.\n\n> ";

        assertThat(TlsRuntimeApi.answers(transcript, 3)).containsExactly("1\n# be_id be_name\n3 b 1 s1", "",
                "No such server.");
    }

    @Test
    void aTranscriptCutShortIsAnError() {
        assertThatThrownBy(() -> TlsRuntimeApi.answers("\n> 1\n# be_id\n", 2)).isInstanceOf(IOException.class)
                .hasMessageContaining("answered 0 of 2");
        assertThatThrownBy(() -> TlsRuntimeApi.answers("", 1)).isInstanceOf(IOException.class);
    }
}
