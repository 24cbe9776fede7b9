package dev.ordo.engine.marketdata;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.InstrumentId;
import java.util.Objects;

/**
 * A completed bar that reached the symbol trader of {@code account}, published on the actor system's event stream
 * ({@link org.apache.pekko.actor.typed.eventstream.EventStream}) for whoever shows bars as they come (the dashboard's live feed):
 * most bars decide nothing and are not journaled, so the journal does not carry them. The replay publishes a bar once its trader
 * handled it ({@link BarDelivery}; a bar a resumed replay re-delivers may come twice), the live path when the bar's window closed
 * ({@link BarBuilder}). Nothing waits for a subscriber: with none, the bar is dropped.
 */
public record BarCompleted(AccountId account, Bar bar) implements OrdoSerializable {

  public BarCompleted {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(bar, "bar");
  }

  /** The bar's instrument. */
  public InstrumentId instrument() {
    return bar.instrumentId();
  }
}
