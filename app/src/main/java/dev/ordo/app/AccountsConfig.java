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

  /**
   * One account on a networked, Kotak-Neo-shaped broker ({@code broker = neo}).
   *
   * @param url             the broker's login URL (its base URL)
   * @param marketDataUrl   its market-data WebSocket URL; null derives {@code ws://.../realtime} from {@code url}
   * @param credentialsFile a properties file of its credentials (consumer-key, mobile, ucc, mpin, totp-seed); null for the
   *                        {@code ORDO_NEO_*} environment variables (one account at most)
   * @param instruments     the instruments it trades ({@code SYMBOL.VENUE}); empty for every instrument of the broker's scrip master
   * @param reconcileEvery  period of its reconciliation with the broker
   * @param orderFeed       whether it listens to the broker's order-update WebSocket
   */
  public record LiveAccount(AccountId id, String url, String marketDataUrl, Path credentialsFile, Set<String> instruments,
      Duration reconcileEvery, boolean orderFeed, EightyTwentyStrategy.Parameters strategy, TradingDay day, RiskLimits risk) {}

  /** The accounts of a config: those replayed through the paper broker, and those on a networked broker. */
  public record Accounts(List<PaperAccount> paper, List<LiveAccount> live) {}

  /** The keys a {@code broker = neo} account may set. */
  static final List<String> LIVE_KEYS = List.of("broker", "url", "market-data-url", "credentials-file", "instruments", "reconcile-every",
      "order-feed", "strategy", "trading-day", "risk");

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
    Accounts accounts = readAll(config);
    if (!accounts.live().isEmpty())
      throw new IllegalArgumentException("ordo.accounts." + accounts.live().get(0).id() + ".broker: a neo account, and this process replays paper"
          + " accounts: neo accounts run in a process of their own (drop the paper ones, e.g. paper = null; docs/accounts.md)");
    return accounts.paper();
  }

  /**
   * Every account of {@code config}, paper and live, each list sorted by id.
   *
   * @throws IllegalArgumentException naming the key and what is wrong: no account, a broker other than {@code paper} or
   *     {@code neo}, a bad time, amount, folder, URL or parameter, a key a neo account does not take, two neo accounts on
   *     the environment's credentials
   */
  public static Accounts readAll(Config config) {
    if (!config.hasPath("ordo.accounts")) throw new IllegalArgumentException("ordo.accounts: no accounts configured");
    Config accounts = config.getConfig("ordo.accounts");
    Config defaults = ConfigFactory.parseString("broker = paper, data = \"\", instruments = [], risk = {}")
        .withValue("strategy", config.getValue("ordo.strategy"))
        .withValue("cash", config.getValue("ordo.paper-cash"))
        .withValue("trading-day", config.getValue("ordo.trading-day"));
    List<PaperAccount> list = new ArrayList<>();
    List<LiveAccount> live = new ArrayList<>();
    for (String id : new TreeSet<>(accounts.root().keySet())) {
      String key = "ordo.accounts." + id;
      if (accounts.root().get(id).valueType() == ConfigValueType.NULL) continue;
      if (accounts.root().get(id).valueType() != ConfigValueType.OBJECT)
        throw new IllegalArgumentException(key + ": an account is an object of settings (broker, data, instruments, ...), got "
            + accounts.root().get(id).render());
      try {
        Config own = accounts.getConfig(com.typesafe.config.ConfigUtil.quoteString(id));
        String broker = own.hasPath("broker") ? own.getString("broker") : "paper";
        if (broker.equals("neo")) live.add(liveAccount(id, own, key, config));
        else list.add(account(id, own.withFallback(defaults), key, config.getConfig("ordo.scanner")));
      } catch (ConfigException e) {
        throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
      }
    }
    if (list.isEmpty() && live.isEmpty()) throw new IllegalArgumentException("ordo.accounts: no accounts configured (every one is null)");
    if (live.stream().filter(a -> a.credentialsFile() == null).count() > 1)
      throw new IllegalArgumentException("ordo.accounts: " + live.stream().filter(a -> a.credentialsFile() == null).map(a -> a.id().value())
          .toList() + " all take their credentials from the ORDO_NEO_* environment variables: give each but one a credentials-file");
    return new Accounts(List.copyOf(list), List.copyOf(live));
  }

  private static LiveAccount liveAccount(String id, Config own, String key, Config config) {
    AccountId account;
    try {
      account = AccountId.of(id);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": not an account id: " + e.getMessage(), e);
    }
    for (String name : own.root().keySet())
      if (!LIVE_KEYS.contains(name)) throw new IllegalArgumentException(key + "." + name + ": not a setting of a neo account; its settings are " + LIVE_KEYS);
    Config c = own.withFallback(ConfigFactory.parseString("url = \"\", market-data-url = \"\", credentials-file = \"\", instruments = [],"
        + " reconcile-every = 30s, order-feed = true, risk = {}"))
        .withFallback(ConfigFactory.empty().withValue("strategy", config.getValue("ordo.strategy"))
            .withValue("trading-day", config.getValue("ordo.trading-day")));
    String url = url(c.getString("url").strip(), key + ".url", true);
    String marketData = url(c.getString("market-data-url").strip(), key + ".market-data-url", false);
    String credentials = c.getString("credentials-file").strip();
    Duration reconcile = c.getDuration("reconcile-every");
    if (reconcile.isNegative() || reconcile.isZero())
      throw new IllegalArgumentException(key + ".reconcile-every: must be positive, got " + reconcile);
    EightyTwentyStrategy.Parameters strategy;
    try {
      strategy = Engine.strategyParameters(c.getConfig("strategy"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + ".strategy: " + e.getMessage(), e);
    }
    Config day = c.getConfig("trading-day");
    TradingDay tradingDay = new TradingDay(time(day, "pre-open-login", key), time(day, "market-open", key), time(day, "eod-cleanup", key),
        day.getDuration("task-timeout"));
    if (c.getValue("risk").valueType() != ConfigValueType.OBJECT)
      throw new IllegalArgumentException(key + ".risk: an object of limits " + RISK_KEYS + ", got " + c.getValue("risk").render());
    return new LiveAccount(account, url, marketData, credentials.isEmpty() ? null : Path.of(credentials),
        new TreeSet<>(c.getStringList("instruments")), reconcile, c.getBoolean("order-feed"), strategy, tradingDay,
        riskLimits(c.getConfig("risk"), key + ".risk"));
  }

  /** {@code text} as an http(s) or ws(s) URL without a trailing slash; "" is null unless {@code required}. */
  private static String url(String text, String key, boolean required) {
    if (text.isEmpty()) {
      if (required) throw new IllegalArgumentException(key + ": required: the broker's base URL, e.g. http://127.0.0.1:8090");
      return null;
    }
    java.net.URI uri;
    try {
      uri = new java.net.URI(text);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(key + ": not a URL: '" + text + "'", e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    if (!List.of("http", "https", "ws", "wss").contains(scheme) || uri.getHost() == null)
      throw new IllegalArgumentException(key + ": not an http(s) or ws(s) URL with a host: '" + text + "'");
    return text.replaceAll("/+$", "");
  }

  private static PaperAccount account(String id, Config c, String key, Config scannerDefaults) {
    AccountId account;
    try {
      account = AccountId.of(id);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": not an account id: " + e.getMessage(), e);
    }
    String broker = c.getString("broker");
    if (!broker.equals("paper")) throw new IllegalArgumentException(key + ".broker: must be paper or neo, got '" + broker + "'");
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
