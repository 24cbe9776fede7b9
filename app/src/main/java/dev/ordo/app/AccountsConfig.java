package dev.ordo.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.risk.RiskLimits;
import dev.ordo.engine.strategy.EightyTwentyStrategy;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The accounts of {@code ordo run}, from {@code ordo.accounts.<id>}: each replays its own bar files
 * (or a subset of their instruments) through its own paper broker, on its own replay clock, with its
 * own strategy parameters, starting cash, trading day and pre-trade risk limits ({@code risk}). A key an account leaves out takes the
 * engine-wide default ({@code ordo.strategy}, {@code ordo.paper-cash}, {@code ordo.trading-day}); an
 * account set to {@code null} is left out (to drop the default {@code paper} account). See
 * {@code docs/accounts.md}.
 */
public final class AccountsConfig {

  private AccountsConfig() {}

  /**
   * One paper account.
   *
   * @param data        its folder of bar files; null for the folder given to {@code ordo run --data}
   * @param instruments the instruments of those files it trades ({@code SYMBOL.VENUE} or a trading symbol); empty for all
   * @param strategy    the 80-20 strategy's parameters (the tick size is set per instrument)
   * @param cash        the paper broker's starting cash by currency (first start only)
   * @param day         the times of its trading day's tasks
   * @param risk        its pre-trade limits ({@code risk}; {@link RiskLimits#NONE} when none is set)
   * @param scanner     its scanner ({@code scanner}), or null when it has none
   */
  public record PaperAccount(AccountId id, Path data, Set<String> instruments, EightyTwentyStrategy.Parameters strategy,
      Map<String, BigDecimal> cash, TradingDay day, RiskLimits risk, ScannerConfig scanner) {}

  /**
   * An account's scanner ({@code scanner} block, over {@code ordo.scanner}; {@code docs/scanner.md}).
   *
   * @param expert      the id of the expert its breakouts go to (one of {@code ordo.experts}, of this account)
   * @param dailyData   its folder of daily bar files
   * @param instruments the instruments of those files it scans ({@code SYMBOL.VENUE} or a trading symbol); empty for all
   * @param at          the time of day of its {@code scan} task, in the venue's zone
   * @param parallelism daily-bar reads in flight at once
   * @param cacheTtl    how long bars read stay fresh for the same day
   * @param signal      the breakout rule's parameters
   */
  public record ScannerConfig(String expert, Path dailyData, Set<String> instruments, LocalTime at, int parallelism, Duration cacheTtl,
      dev.ordo.engine.scanner.BreakoutSignal signal) {}

  /** The keys of an account's {@code risk} block. */
  public static final List<String> RISK_KEYS = List.of("max-order-notional", "max-position-quantity", "max-position-notional",
      "max-open-positions", "max-daily-realized-loss");

  /**
   * The limits of {@code risk} (an account's {@code risk} block, each key optional), {@code key} naming the block in errors.
   *
   * @throws IllegalArgumentException naming the key: an unknown key, a value that is not a positive amount (a positive whole
   *     number for {@code max-open-positions})
   */
  public static RiskLimits riskLimits(Config risk, String key) {
    for (String name : risk.root().keySet())
      if (!RISK_KEYS.contains(name)) throw new IllegalArgumentException(key + "." + name + ": not a risk limit; the limits are " + RISK_KEYS);
    BigDecimal openPositions = amount(risk, "max-open-positions", key);
    if (openPositions != null && (openPositions.signum() <= 0 || openPositions.stripTrailingZeros().scale() > 0
        || openPositions.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0))
      throw new IllegalArgumentException(key + ".max-open-positions: not a positive whole number: " + openPositions.toPlainString());
    return new RiskLimits(amount(risk, "max-order-notional", key), amount(risk, "max-position-quantity", key),
        amount(risk, "max-position-notional", key), openPositions == null ? null : openPositions.intValueExact(),
        amount(risk, "max-daily-realized-loss", key));
  }

  private static BigDecimal amount(Config risk, String name, String key) {
    if (!risk.hasPath(name)) return null;
    var value = risk.getValue(name);
    BigDecimal amount;
    try {
      amount = new BigDecimal(value.unwrapped().toString().strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + "." + name + ": not an amount: " + value.render(), e);
    }
    if (amount.signum() <= 0) throw new IllegalArgumentException(key + "." + name + ": must be positive, got " + amount.toPlainString());
    return amount;
  }

  /**
   * The times of an account's tasks, in its venue's zone.
   *
   * @param marketOpen the open, until which yesterday's failed-order records are kept
   * @param taskTimeout how long a task may wait for one answer
   */
  public record TradingDay(LocalTime preOpenLogin, LocalTime marketOpen, LocalTime eodCleanup, Duration taskTimeout) {}

  /**
   * The accounts of {@code config}, sorted by id.
   *
   * @throws IllegalArgumentException naming the key and what is wrong: no account, a broker other than
   *     {@code paper}, a bad time, amount, folder or parameter
   */
  public static List<PaperAccount> read(Config config) {
    if (!config.hasPath("ordo.accounts")) throw new IllegalArgumentException("ordo.accounts: no accounts configured");
    Config accounts = config.getConfig("ordo.accounts");
    Config defaults = ConfigFactory.parseString("broker = paper, data = \"\", instruments = [], risk = {}")
        .withValue("strategy", config.getValue("ordo.strategy"))
        .withValue("cash", config.getValue("ordo.paper-cash"))
        .withValue("trading-day", config.getValue("ordo.trading-day"));
    List<PaperAccount> list = new ArrayList<>();
    for (String id : new TreeSet<>(accounts.root().keySet())) {
      String key = "ordo.accounts." + id;
      if (accounts.root().get(id).valueType() == ConfigValueType.NULL) continue;
      if (accounts.root().get(id).valueType() != ConfigValueType.OBJECT)
        throw new IllegalArgumentException(key + ": an account is an object of settings (broker, data, instruments, ...), got "
            + accounts.root().get(id).render());
      try {
        list.add(account(id, accounts.getConfig(com.typesafe.config.ConfigUtil.quoteString(id)).withFallback(defaults), key,
            config.getConfig("ordo.scanner")));
      } catch (ConfigException e) {
        throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
      }
    }
    if (list.isEmpty()) throw new IllegalArgumentException("ordo.accounts: no accounts configured (every one is null)");
    return List.copyOf(list);
  }

  private static PaperAccount account(String id, Config c, String key, Config scannerDefaults) {
    AccountId account;
    try {
      account = AccountId.of(id);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": not an account id: " + e.getMessage(), e);
    }
    String broker = c.getString("broker");
    if (!broker.equals("paper"))
      throw new IllegalArgumentException(key + ".broker: ordo run replays paper accounts only, got '" + broker
          + "'; a neo account runs with ordo run --broker neo (one live account per process for now)");
    String data = c.getString("data").strip();
    EightyTwentyStrategy.Parameters strategy;
    try {
      strategy = Engine.strategyParameters(c.getConfig("strategy"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + ".strategy: " + e.getMessage(), e);
    }
    Map<String, BigDecimal> cash = new TreeMap<>();
    for (var entry : c.getConfig("cash").entrySet()) {
      try {
        cash.put(entry.getKey(), new BigDecimal(entry.getValue().unwrapped().toString()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + ".cash." + entry.getKey() + ": not an amount: " + entry.getValue().render(), e);
      }
    }
    Config day = c.getConfig("trading-day");
    TradingDay tradingDay = new TradingDay(time(day, "pre-open-login", key), time(day, "market-open", key), time(day, "eod-cleanup", key),
        day.getDuration("task-timeout"));
    if (c.getValue("risk").valueType() != ConfigValueType.OBJECT)
      throw new IllegalArgumentException(key + ".risk: an object of limits " + RISK_KEYS + ", got " + c.getValue("risk").render());
    RiskLimits risk = riskLimits(c.getConfig("risk"), key + ".risk");
    ScannerConfig scanner = null;
    if (c.hasPath("scanner")) {
      if (c.getValue("scanner").valueType() != ConfigValueType.OBJECT)
        throw new IllegalArgumentException(key + ".scanner: an object of settings (expert, daily-data, ...), got " + c.getValue("scanner").render());
      // (a null in a fallback would make the block ignore its later fallbacks: the defaults hold none)
      scanner = scanner(c.getConfig("scanner").withFallback(scannerDefaults), key + ".scanner");
    }
    return new PaperAccount(account, data.isEmpty() ? null : Path.of(data), new TreeSet<>(c.getStringList("instruments")), strategy,
        Map.copyOf(cash), tradingDay, risk, scanner);
  }

  /** The keys of a {@code scanner} block. */
  static final List<String> SCANNER_KEYS = List.of("expert", "daily-data", "instruments", "at", "parallelism", "cache-ttl", "lookback",
      "volume-factor", "stop-lookback", "reward-risk");

  private static ScannerConfig scanner(Config s, String key) {
    for (String name : s.root().keySet())
      if (!SCANNER_KEYS.contains(name)) throw new IllegalArgumentException(key + "." + name + ": not a scanner setting; the settings are " + SCANNER_KEYS);
    String expert = s.hasPath("expert") ? s.getString("expert").strip() : "";
    if (expert.isEmpty()) throw new IllegalArgumentException(key + ".expert: required: the id of the expert (ordo.experts.<id>) its breakouts go to");
    String daily = s.hasPath("daily-data") ? s.getString("daily-data").strip() : "";
    if (daily.isEmpty()) throw new IllegalArgumentException(key + ".daily-data: required: the folder of daily bar files it scans");
    int parallelism = s.getInt("parallelism");
    if (parallelism < 1 || parallelism > 256) throw new IllegalArgumentException(key + ".parallelism: must be within 1..256, got " + parallelism);
    Duration ttl = s.getDuration("cache-ttl");
    if (ttl.isNegative()) throw new IllegalArgumentException(key + ".cache-ttl: must not be negative, got " + ttl);
    LocalTime at;
    try {
      at = LocalTime.parse(s.getString("at"));
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(key + ".at: not a time of day (HH:mm): '" + s.getString("at") + "'", e);
    }
    BigDecimal volumeFactor = decimal(s, "volume-factor", key);
    BigDecimal rewardRisk = decimal(s, "reward-risk", key);
    dev.ordo.engine.scanner.BreakoutSignal signal;
    try {
      signal = new dev.ordo.engine.scanner.BreakoutSignal(s.getInt("lookback"), volumeFactor, s.getInt("stop-lookback"), rewardRisk);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
    return new ScannerConfig(expert, Path.of(daily), new TreeSet<>(s.getStringList("instruments")), at, parallelism, ttl, signal);
  }

  private static BigDecimal decimal(Config c, String name, String key) {
    try {
      return new BigDecimal(c.getValue(name).unwrapped().toString().strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + "." + name + ": not a number: " + c.getValue(name).render(), e);
    }
  }

  private static LocalTime time(Config day, String name, String key) {
    String text = day.getString(name);
    try {
      return LocalTime.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(key + ".trading-day." + name + ": not a time of day (HH:mm): '" + text + "'", e);
    }
  }
}
