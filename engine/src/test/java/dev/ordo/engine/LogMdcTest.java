package dev.ordo.engine;

import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.InstrumentId;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** An entity's log lines carry its account, instrument, type and id, and while it handles a message about an order, its ClientOrderId. */
class LogMdcTest {

  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aMessageAboutAnOrderTagsTheLinesWithItsClientOrderIdAndOnlyThose() {
    ActorRef<String> entity = testKit.spawn(LogMdc.ofEntity(String.class, "SymbolTrader", "paper:TCS-EQ.NSE", AccountId.of("paper"),
        new InstrumentId("TCS-EQ", "NSE"), message -> message.startsWith("order ") ? ClientOrderId.of(message.substring(6)) : null,
        Behaviors.setup(context -> Behaviors.receive(String.class).onAnyMessage(message -> {
          context.getLog().warn("handled {}", message);
          return Behaviors.same();
        }).build())));
    Map<String, String> base = Map.of("account", "paper", "instrument", "TCS-EQ.NSE", "entityType", "SymbolTrader", "entityId", "paper:TCS-EQ.NSE");
    LoggingTestKit.warn("handled order TCS-EQ-7").withMdc(Map.of("account", "paper", "instrument", "TCS-EQ.NSE", "entityType", "SymbolTrader",
        "entityId", "paper:TCS-EQ.NSE", "clientOrderId", "TCS-EQ-7")).expect(testKit.system(), () -> {
          entity.tell("order TCS-EQ-7");
          return null;
        });
    LoggingTestKit.warn("handled bar 09:20").withMdc(base).withCustom(event -> !event.getMdc().containsKey("clientOrderId"))
        .expect(testKit.system(), () -> {
          entity.tell("bar 09:20");
          return null;
        });
  }
}
