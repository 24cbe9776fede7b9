package dev.ordo.engine.marketdata;

import dev.ordo.engine.trading.SymbolTrader;
import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.TradeTick;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Builds bars of {@code interval} from the live ticks of one account and drives its symbol traders
 * as the replay does: the first tick of a new window closes the previous bar ({@code CloseBar}),
 * ends the session when the local date changed ({@code EndSession}), and opens the new bar
 * ({@code OpenBar}); each bar closed is published on the event stream as {@link BarCompleted} while someone watches
 * ({@link BarCompleted#WATCHERS}). Windows start at multiples of {@code interval} from local midnight in the
 * instrument's exchange time zone. A tick older than the current window is ignored.
 */
public final class BarBuilder {

  private BarBuilder() {}

  /** Protocol. */
  public sealed interface Command extends OrdoSerializable {}

  /** One tick of the stream. */
  public record OnTick(TradeTick tick) implements Command {}

  /** Whether someone watches the bars ({@link BarCompleted#WATCHERS}): only then are they published. */
  private record WatchersChanged(boolean watched) implements Command {}

  private static final class Building {
    OffsetDateTime open;
    Price o;
    Price h;
    Price l;
    Price c;
    BigDecimal volume = BigDecimal.ZERO;
  }

  /**
   * @param zones the exchange time zone of each instrument (NSE: Asia/Kolkata)
   */
  public static Behavior<Command> create(AccountId account, Duration interval, Function<InstrumentId, ZoneId> zones) {
    return Behaviors.setup(context -> {
      ClusterSharding sharding = ClusterSharding.get(context.getSystem());
      ActorRef<Done> ignore = context.getSystem().ignoreRef();
      Map<InstrumentId, Building> building = new HashMap<>();
      long seconds = interval.toSeconds();
      context.getSystem().receptionist().tell(Receptionist.subscribe(BarCompleted.WATCHERS,
          context.messageAdapter(Receptionist.Listing.class, listing -> new WatchersChanged(BarCompleted.watched(listing)))));
      boolean[] watched = {false}; // the actor's own state, changed only by its WatchersChanged handler
      return Behaviors.receive(Command.class)
          .onMessage(WatchersChanged.class, changed -> {
            watched[0] = changed.watched();
            return Behaviors.same();
          })
          .onMessage(OnTick.class, message -> {
            TradeTick tick = message.tick();
            InstrumentId id = tick.instrumentId();
            OffsetDateTime local = tick.tsEvent().atZone(zones.apply(id)).toOffsetDateTime();
            long secondOfDay = local.toLocalTime().toSecondOfDay();
            OffsetDateTime window = local.toLocalDate().atStartOfDay().atOffset(local.getOffset()).plusSeconds(secondOfDay - secondOfDay % seconds);
            var trader = sharding.entityRefFor(SymbolTrader.ENTITY_TYPE_KEY, SymbolTrader.entityId(account, id));
            Building bar = building.get(id);
            if (bar != null && window.isBefore(bar.open)) {
              context.getLog().debug("{}: late tick at {} for the closed window {}", id, local, bar.open);
              return Behaviors.same();
            }
            if (bar == null || window.isAfter(bar.open)) {
              if (bar != null) {
                Bar completed = new Bar(id, interval, bar.o, bar.h, bar.l, bar.c, bar.volume, bar.open);
                trader.tell(new SymbolTrader.CloseBar(completed, ignore));
                if (watched[0]) context.getSystem().eventStream().tell(new EventStream.Publish<>(new BarCompleted(account, completed)));
                LocalDate previous = bar.open.toLocalDate();
                if (!previous.equals(window.toLocalDate())) trader.tell(new SymbolTrader.EndSession(previous, ignore));
              }
              bar = new Building();
              bar.open = window;
              bar.o = bar.h = bar.l = tick.price();
              building.put(id, bar);
              trader.tell(new SymbolTrader.OpenBar(window, ignore));
            }
            bar.h = bar.h.max(tick.price());
            bar.l = bar.l.min(tick.price());
            bar.c = tick.price();
            bar.volume = bar.volume.add(tick.size().value());
            return Behaviors.same();
          })
          .build();
    });
  }
}
