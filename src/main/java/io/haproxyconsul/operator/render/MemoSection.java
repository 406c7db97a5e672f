package io.haproxyconsul.operator.render;

import io.quarkus.qute.CompletedStage;
import io.quarkus.qute.EngineConfiguration;
import io.quarkus.qute.Expression;
import io.quarkus.qute.ResultNode;
import io.quarkus.qute.Scope;
import io.quarkus.qute.SectionHelper;
import io.quarkus.qute.SectionHelperFactory;
import io.quarkus.qute.SingleResultNode;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * {@code {#memo backend}...{/memo}}: the block is drawn once per distinct value of its parameter and its text taken
 * again while the same value comes back, as most backends do from one change of a catalog to the next. The block
 * must depend on its parameter alone (the routing model's records compare by value). Without the render's
 * {@link RenderMemory} (set by {@link ConfigRenderer}) the block is simply drawn.
 */
@EngineConfiguration
public class MemoSection implements SectionHelperFactory<MemoSection.Helper> {

    private static final String KEY = "key";

    @Override
    public List<String> getDefaultAliases() {
        return List.of("memo");
    }

    @Override
    public ParametersInfo getParameters() {
        return ParametersInfo.builder().addParameter(KEY).build();
    }

    @Override
    public Scope initializeBlock(Scope outerScope, BlockInfo block) {
        if (block.isMainBlock()) {
            block.addExpression(KEY, block.getParameter(KEY));
        }
        return outerScope;
    }

    @Override
    public Helper initialize(SectionInitContext context) {
        return new Helper(context.getExpression(KEY));
    }

    static final class Helper implements SectionHelper {
        private final Expression key;

        Helper(Expression key) {
            this.key = key;
        }

        @Override
        public CompletionStage<ResultNode> resolve(SectionResolutionContext context) {
            if (!(context.resolutionContext().getAttribute(RenderMemory.ATTRIBUTE) instanceof RenderMemory memory)) {
                return context.execute();
            }
            return context.evaluate(key).thenCompose(value -> {
                String known = memory.recall(value);
                if (known != null) {
                    return CompletedStage.of(new SingleResultNode(known));
                }
                return context.execute().thenApply(node -> {
                    var text = new StringBuilder();
                    node.process(text::append);
                    String drawn = text.toString();
                    memory.remember(value, drawn);
                    return new SingleResultNode(drawn);
                });
            });
        }
    }
}
