package dev.ordo.broker.neo;

import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The broker's instrument master: numeric token ({@code tk}, {@code pSymbol}) to trading symbol and
 * segment, tick and lot size. Lookups are by the full trading symbol and venue, never by a base
 * symbol. Served by the simulator as CSV ({@code pSymbol,pTrdSymbol,pExchSeg,dTickSize,lLotSize}).
 */
public final class ScripMaster {

  /** The CSV header. */
  public static final String HEADER = "pSymbol,pTrdSymbol,pExchSeg,dTickSize,lLotSize";

  private final Map<String, Instrument> byToken;
  private final Map<InstrumentId, Instrument> byId;

  private ScripMaster(Collection<Instrument> instruments) {
    byToken = new TreeMap<>();
    byId = new HashMap<>();
    for (Instrument i : instruments) {
      byToken.put(NeoWire.segment(i.id()) + "|" + i.brokerToken(), i);
      byId.put(i.id(), i);
    }
  }

  /** Gives each instrument (sorted by id) the token {@code 10001, 10002, ...}: the simulator's master. */
  public static ScripMaster numbering(Collection<Instrument> instruments) {
    List<Instrument> sorted = instruments.stream().sorted((a, b) -> a.id().compareTo(b.id())).toList();
    List<Instrument> numbered = new java.util.ArrayList<>();
    for (int n = 0; n < sorted.size(); n++) {
      Instrument i = sorted.get(n);
      numbered.add(new Instrument(i.id(), i.tickSize(), i.lotSize(), i.currency(), Integer.toString(10001 + n)));
    }
    return new ScripMaster(numbered);
  }

  /**
   * Parses the CSV form.
   *
   * @throws IllegalArgumentException naming the line that cannot be read
   */
  public static ScripMaster parse(String csv) {
    List<Instrument> instruments = new java.util.ArrayList<>();
    String[] lines = csv.split("\r?\n");
    if (lines.length == 0 || !lines[0].trim().equals(HEADER)) throw new IllegalArgumentException("scrip master must start with " + HEADER);
    for (int n = 1; n < lines.length; n++) {
      if (lines[n].isBlank()) continue;
      String[] f = lines[n].split(",");
      try {
        InstrumentId id = new InstrumentId(f[1], NeoWire.venue(f[2]));
        String currency = id.venue().equals("NSE") ? "INR" : "USDT";
        instruments.add(new Instrument(id, new BigDecimal(f[3]), new BigDecimal(f[4]), currency, f[0]));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("scrip master line " + (n + 1) + " cannot be read: '" + lines[n] + "' (" + e.getMessage() + ")");
      }
    }
    return new ScripMaster(instruments);
  }

  /** The CSV form. */
  public String toCsv() {
    StringBuilder csv = new StringBuilder(HEADER).append('\n');
    for (Instrument i : byToken.values())
      csv.append(i.brokerToken()).append(',').append(i.id().symbol()).append(',').append(NeoWire.segment(i.id())).append(',')
          .append(i.tickSize().toPlainString()).append(',').append(i.lotSize().toPlainString()).append('\n');
    return csv.toString();
  }

  /** The instrument of {@code segment|token} (e.g. {@code nse_cm|10001}). */
  public Optional<Instrument> byScrip(String scrip) {
    return Optional.ofNullable(byToken.get(scrip));
  }

  public Optional<Instrument> byId(InstrumentId id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** The {@code segment|token} of an instrument. */
  public Optional<String> scrip(InstrumentId id) {
    return byId(id).map(i -> NeoWire.segment(id) + "|" + i.brokerToken());
  }

  public Collection<Instrument> instruments() {
    return byId.values();
  }
}
