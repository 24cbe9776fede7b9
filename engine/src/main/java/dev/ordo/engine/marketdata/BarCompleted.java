package dev.ordo.engine.marketdata;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import java.util.Objects;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * A completed bar that reached the symbol trader of {@code account}, published on the actor system's event stream
 * ({@link org.apache.pekko.actor.typed.eventstream.EventStream}) for whoever shows bars as they come (the dashboard's live feed):
 * most bars decide nothing and are not journaled, so the journal does not carry them. The replay publishes a bar once its trader
 * handled it ({@link BarDelivery}; a bar a resumed replay re-delivers may come twice), the live path when the bar's window closed
 * ({@link BarBuilder}). They publish only while an actor is registered with the receptionist under {@link #WATCHERS} (the
 * dashboard's feed registers while a client is connected): a replay at full speed applies thousands of bars a second, and their
 * publishing cost a visible share of it with no one watching. Nothing waits for a subscriber.
 */
public record BarCompleted(AccountId account, Bar bar) implements OrdoSerializable {

  /** Who wants the bars: while one is registered, bars are published on the event stream (to every subscriber, not only to it). */
  public static final ServiceKey<BarCompleted> WATCHERS = ServiceKey.create(BarCompleted.class, "bar-watchers");

  /** Whether {@code listing} (of {@link #WATCHERS}, as the receptionist sends it) holds a watcher. */
  public static boolean watched(Receptionist.Listing listing) {
    return !listing.getServiceInstances(WATCHERS).isEmpty();
  }

  public BarCompleted {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(bar, "bar");
  }

  /** The bar's instrument. */
  public InstrumentId instrument() {
    return bar.instrumentId();
  }
}
