package dev.ordo.engine.venue;

import dev.ordo.engine.model.Bar;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a simulated venue knows of the market when it takes an order: the instruments it lists,
 * the last price of each (the close of its last bar matched or of its closed session) and, per
 * instrument whose session has closed, that session's last bar, and the venue's limits on orders.
 * Immutable; it is not part of an account's {@link VenueBook} (the paper broker does not journal it).
 *
 * @param instruments    listed instruments (with their tick and lot size); orders for others are rejected
 * @param lastPrices     last price per instrument, instrument currency
 * @param closedSessions last bar of the session, for instruments whose session closed and no later bar was matched
 * @param rules          freeze quantity and market protection
 */
public record VenueMarket(Map<InstrumentId, Instrument> instruments, Map<InstrumentId, Price> lastPrices, Map<InstrumentId, Bar> closedSessions,
    VenueRules rules) {

  public VenueMarket {
    instruments = Map.copyOf(instruments);
    lastPrices = Map.copyOf(lastPrices);
    closedSessions = Map.copyOf(closedSessions);
    Objects.requireNonNull(rules, "rules");
  }

  /** A market listing {@code instruments} under {@link VenueRules#defaults()}, with no prices yet. */
  public static VenueMarket listing(Map<InstrumentId, Instrument> instruments) {
    return listing(instruments, VenueRules.defaults());
  }

  /** A market listing {@code instruments} under {@code rules}, with no prices yet. */
  public static VenueMarket listing(Map<InstrumentId, Instrument> instruments, VenueRules rules) {
    return new VenueMarket(instruments, Map.of(), Map.of(), rules);
  }

  /** The listed instrument {@code id}, or empty. */
  public Optional<Instrument> instrument(InstrumentId id) {
    return Optional.ofNullable(instruments.get(id));
  }

  /** The last price of {@code id}, or empty before its first bar. */
  public Optional<Price> lastPrice(InstrumentId id) {
    return Optional.ofNullable(lastPrices.get(id));
  }

  /** The last bar of the closed session of {@code id}, or empty while its session is open (or none was seen). */
  public Optional<Bar> closedSession(InstrumentId id) {
    return Optional.ofNullable(closedSessions.get(id));
  }

  /** After {@code bar} was matched: its close is the last price, and its instrument's session is open. */
  public VenueMarket barMatched(Bar bar) {
    Map<InstrumentId, Bar> closed = closedSessions;
    if (closed.containsKey(bar.instrumentId())) {
      closed = new HashMap<>(closedSessions);
      closed.remove(bar.instrumentId());
    }
    return new VenueMarket(instruments, with(lastPrices, bar.instrumentId(), bar.close()), closed, rules);
  }

  /** The session of the instrument of {@code lastBar} closed with that bar. */
  public VenueMarket sessionClosed(Bar lastBar) {
    return new VenueMarket(instruments, with(lastPrices, lastBar.instrumentId(), lastBar.close()),
        with(closedSessions, lastBar.instrumentId(), lastBar), rules);
  }

  private static <V> Map<InstrumentId, V> with(Map<InstrumentId, V> map, InstrumentId key, V value) {
    Map<InstrumentId, V> next = new HashMap<>(map);
    next.put(key, value);
    return next;
  }
}
