package dev.ordo.engine.calendar;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each venue trades: its sessions (trading days) and their windows, read from a calendar file in
 * HOCON (format and sources: {@code docs/calendar.md}; the file shipped with Ordo is the classpath
 * resource {@value #RESOURCE}).
 *
 * <p>A venue listed in the file (NSE, BSE) trades on the weekdays that are not holidays, in its regular
 * windows (NSE: 09:15–15:30 Asia/Kolkata), and on the dates of its special sessions (Muhurat, Saturday
 * or Sunday sessions, disaster-recovery test sessions with two windows, half days) in their windows,
 * even when that date is a holiday or a weekend day. Any other venue (crypto venues: BYBIT, BINANCE, …)
 * trades around the clock: its session on a date is the UTC day [00:00, 24:00) of kind
 * {@link Kind#ALL_DAY}. Windows are half-open: a venue is open at a window's open and closed at its
 * close (NSE: 09:15:00 open, 15:29:59 open, 15:30:00 closed). Times in the file are local times of the
 * venue's zone, which {@link VenueZones} gives.
 *
 * <p>A date in a year the venue's holiday list does not cover ({@link #years}) is judged by weekday
 * alone; the first such date of each venue and year is logged as a warning.
 *
 * <p>Immutable apart from that log's memory, and safe to share between threads.
 */
public final class TradingCalendar {

  /** The classpath resource holding the calendar shipped with Ordo. */
  public static final String RESOURCE = "ordo-calendar.conf";

  /** How far {@link #nextOpen} looks ahead before it gives up (ten years of days). */
  static final int NEXT_OPEN_HORIZON_DAYS = 3660;

  private static final Logger log = LoggerFactory.getLogger(TradingCalendar.class);
  private static final Pattern VENUE_CODE = Pattern.compile("[A-Z][A-Z0-9_]*");

  /** A trading day's kind. */
  public enum Kind {
    /** A weekday that is not a holiday, in the venue's regular windows. */
    REGULAR,
    /** A session announced apart from the regular week: a Saturday or Sunday session, a disaster-recovery test session. */
    SPECIAL,
    /** The Diwali Muhurat session (about an hour, on the Laxmi Pujan holiday). */
    MUHURAT,
    /** A shortened day. */
    HALF_DAY,
    /** A day of a venue that trades around the clock: the UTC day. */
    ALL_DAY
  }

  /**
   * A trading window [open, close).
   *
   * @param open  the first instant of trading
   * @param close the first instant after trading (not itself open)
   */
  public record Window(Instant open, Instant close) {
    public Window {
      Objects.requireNonNull(open, "open");
      Objects.requireNonNull(close, "close");
      if (!open.isBefore(close)) throw new IllegalArgumentException("a window opens before it closes: " + open + ".." + close);
    }

    /** Whether {@code t} is within [open, close). */
    public boolean contains(Instant t) {
      return !t.isBefore(open) && t.isBefore(close);
    }
  }

  /**
   * A session (trading day) of a venue.
   *
   * @param venue   upper-case venue code
   * @param date    the trading date, in the venue's zone
   * @param kind    regular, special, Muhurat, half day or all day
   * @param windows its trading windows, in time order, not overlapping (at least one)
   */
  public record Session(String venue, LocalDate date, Kind kind, List<Window> windows) {
    public Session {
      Objects.requireNonNull(venue, "venue");
      Objects.requireNonNull(date, "date");
      Objects.requireNonNull(kind, "kind");
      windows = List.copyOf(windows);
      if (windows.isEmpty()) throw new IllegalArgumentException("a session has at least one window");
    }

    /** The first window's open. */
    public Instant open() {
      return windows.get(0).open();
    }

    /** The last window's close. */
    public Instant close() {
      return windows.get(windows.size() - 1).close();
    }

    /** Whether {@code t} is within one of the session's windows (not between two of them). */
    public boolean isOpenAt(Instant t) {
      for (Window window : windows) if (window.contains(t)) return true;
      return false;
    }
  }

  private record LocalWindow(LocalTime open, LocalTime close) {}

  private record Special(Kind kind, String name, List<LocalWindow> windows) {}

  /** The rules of one listed venue, from the file. */
  private record VenueRules(List<LocalWindow> regular, Set<DayOfWeek> weekend, SortedSet<Integer> years,
      Map<LocalDate, String> holidays, Map<LocalDate, Special> specials) {}

  private final String source;
  private final Map<String, VenueRules> venues;
  /** Venue and year pairs already warned about (outside the holiday list): a new immutable set replaces it. */
  private volatile Set<String> warnedOutside = Set.of();

  private TradingCalendar(String source, Map<String, VenueRules> venues) {
    this.source = source;
    this.venues = Map.copyOf(venues);
  }

  private static final class Shipped {
    static final TradingCalendar CALENDAR = loadResource();
  }

  /**
   * The calendar shipped with Ordo (classpath resource {@value #RESOURCE}), read once.
   *
   * @throws IllegalStateException when the resource is missing or invalid (a broken build)
   */
  public static TradingCalendar standard() {
    return Shipped.CALENDAR;
  }

  private static TradingCalendar loadResource() {
    URL url = TradingCalendar.class.getClassLoader().getResource(RESOURCE);
    if (url == null) throw new IllegalStateException("the trading calendar " + RESOURCE + " is not on the classpath");
    try {
      Config config = ConfigFactory.parseURL(url, ConfigParseOptions.defaults().setAllowMissing(false));
      return parse(config, "classpath:" + RESOURCE);
    } catch (ConfigException e) {
      throw new IllegalStateException("trading calendar classpath:" + RESOURCE + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * Reads a calendar file (HOCON via Typesafe Config; format in {@code docs/calendar.md}).
   *
   * @throws IllegalArgumentException when the file is missing, unreadable, not HOCON or breaks the
   *     format; the message names the file, the key (e.g. {@code
   *     ordo.calendar.venues.NSE.years.2024.holidays[3].date}), its line and the value at fault
   */
  public static TradingCalendar load(Path file) {
    String name = file.toString();
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException("trading calendar " + name + ": no such file");
    try {
      Config config = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
      return parse(config, name);
    } catch (ConfigException e) {
      throw new IllegalArgumentException("trading calendar " + name + ": " + e.getMessage(), e);
    }
  }

  private static TradingCalendar parse(Config unresolved, String name) {
    Config config = unresolved.resolve();
    Reader reader = new Reader(name);
    String root = "ordo.calendar.venues";
    if (!config.hasPath(root)) throw reader.missing(root, config.root());
    ConfigObject venuesObject = reader.object(config.getValue(root), root);
    Map<String, VenueRules> venues = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> entry : venuesObject.entrySet()) {
      String path = root + "." + entry.getKey();
      if (!VENUE_CODE.matcher(entry.getKey()).matches())
        throw reader.bad(path, entry.getValue(), "a venue is named by its upper-case code, such as NSE");
      venues.put(entry.getKey(), reader.venue(reader.object(entry.getValue(), path), path));
    }
    return new TradingCalendar(name, venues);
  }

  /** The file or resource the calendar was read from. */
  public String source() {
    return source;
  }

  /** Whether {@code venue} (upper-case code, {@code NSE}) is open at {@code t}: within a window of its session of that date. */
  public boolean isOpen(String venue, Instant t) {
    return session(venue, dateOf(venue, t)).map(session -> session.isOpenAt(t)).orElse(false);
  }

  /**
   * The session (trading day) of {@code venue} on {@code date} (a date in the venue's zone), empty on a
   * closed day. For a venue trading around the clock, the UTC day [00:00, 24:00) of kind {@link Kind#ALL_DAY}.
   */
  public Optional<Session> session(String venue, LocalDate date) {
    Objects.requireNonNull(date, "date");
    VenueRules rules = venues.get(Objects.requireNonNull(venue, "venue"));
    if (rules == null) {
      Instant start = date.atStartOfDay(ZoneOffset.UTC).toInstant();
      return Optional.of(new Session(venue, date, Kind.ALL_DAY, List.of(new Window(start, date.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()))));
    }
    Special special = rules.specials().get(date);
    if (special != null) return Optional.of(session(venue, date, special.kind(), special.windows()));
    if (!rules.years().contains(date.getYear())) warnOutside(venue, date.getYear(), rules.years());
    if (rules.holidays().containsKey(date) || rules.weekend().contains(date.getDayOfWeek())) return Optional.empty();
    return Optional.of(session(venue, date, Kind.REGULAR, rules.regular()));
  }

  /**
   * The session whose open..close span contains {@code t} (open at or before {@code t}, close after it),
   * empty when {@code t} is outside every session. Between the two windows of a disaster-recovery test
   * session {@code t} is within the session, but {@link #isOpen} is false.
   */
  public Optional<Session> sessionOf(String venue, Instant t) {
    return session(venue, dateOf(venue, t)).filter(session -> !t.isBefore(session.open()) && t.isBefore(session.close()));
  }

  /**
   * The first instant at or after {@code t} at which {@code venue} is open: {@code t} itself when open,
   * else the open of the next window.
   *
   * @throws IllegalStateException when no window opens within ten years (a calendar closing every day)
   */
  public Instant nextOpen(String venue, Instant t) {
    LocalDate date = dateOf(venue, t);
    for (int day = 0; day <= NEXT_OPEN_HORIZON_DAYS; day++) {
      Optional<Session> session = session(venue, date.plusDays(day));
      if (session.isEmpty()) continue;
      for (Window window : session.get().windows()) {
        if (!t.isBefore(window.close())) continue;
        return t.isBefore(window.open()) ? window.open() : t;
      }
    }
    throw new IllegalStateException(venue + " has no trading window within " + NEXT_OPEN_HORIZON_DAYS + " days of " + t + " in " + source);
  }

  /**
   * The trading days of an account trading on {@code venues}: a date on which at least one of them
   * trades (its tasks run on such a day).
   *
   * @throws IllegalArgumentException when {@code venues} is empty
   */
  public java.util.function.Predicate<LocalDate> tradingDays(java.util.Collection<String> venues) {
    if (venues.isEmpty()) throw new IllegalArgumentException("an account trades on at least one venue");
    List<String> list = List.copyOf(new java.util.TreeSet<>(venues));
    return date -> list.stream().anyMatch(venue -> isTradingDay(venue, date));
  }

  /** Whether {@code date} (in the venue's zone) is a trading day of {@code venue}. */
  public boolean isTradingDay(String venue, LocalDate date) {
    return session(venue, date).isPresent();
  }

  /** The zone of {@code venue}, from {@link VenueZones}: the zone of its dates and of the file's times. */
  public ZoneId zone(String venue) {
    return VenueZones.zoneOf(venue);
  }

  /**
   * The years {@code venue}'s holiday list covers, ascending; empty for a venue trading around the clock
   * (it needs none). A date outside them is judged by weekday alone and logged once as a warning.
   */
  public SortedSet<Integer> years(String venue) {
    VenueRules rules = venues.get(venue);
    return rules == null ? Collections.emptySortedSet() : rules.years();
  }

  /** The venues the file lists (they trade in sessions); every other venue trades around the clock. */
  public Set<String> sessionVenues() {
    return venues.keySet();
  }

  private LocalDate dateOf(String venue, Instant t) {
    return LocalDate.ofInstant(Objects.requireNonNull(t, "t"), zone(venue));
  }

  private Session session(String venue, LocalDate date, Kind kind, List<LocalWindow> windows) {
    ZoneId zone = zone(venue);
    List<Window> instants = new ArrayList<>(windows.size());
    for (LocalWindow window : windows)
      instants.add(new Window(date.atTime(window.open()).atZone(zone).toInstant(), date.atTime(window.close()).atZone(zone).toInstant()));
    return new Session(venue, date, kind, instants);
  }

  private void warnOutside(String venue, int year, SortedSet<Integer> years) {
    String key = venue + " " + year;
    Set<String> warned = warnedOutside;
    if (warned.contains(key)) return;
    Set<String> more = new HashSet<>(warned);
    more.add(key);
    // Two threads may both get here for the same year: the warning is then logged twice, which is harmless.
    warnedOutside = Set.copyOf(more);
    log.warn("trading calendar {}: {} {} is outside the years its holiday list covers {}; its dates are judged by weekday alone "
        + "(add the year's holidays to the calendar file, see docs/calendar.md)", source, venue, year, years);
  }

  /** Reads the file's values, each error naming the file, the key, its line and the value. */
  private static final class Reader {
    private static final Set<String> VENUE_KEYS = Set.of("regular-windows", "weekend", "years");
    private static final Set<String> YEAR_KEYS = Set.of("sources", "holidays", "special-sessions");
    private static final Set<String> HOLIDAY_KEYS = Set.of("date", "name");
    private static final Set<String> SPECIAL_KEYS = Set.of("date", "kind", "name", "windows", "source");
    private static final Set<String> WINDOW_KEYS = Set.of("open", "close");
    private static final Set<Kind> SPECIAL_KINDS = EnumSet.of(Kind.SPECIAL, Kind.MUHURAT, Kind.HALF_DAY);

    private final String file;

    Reader(String file) {
      this.file = file;
    }

    IllegalArgumentException bad(String path, ConfigValue value, String reason) {
      int line = value.origin().lineNumber();
      return new IllegalArgumentException("trading calendar " + file + (line > 0 ? " line " + line : "") + ": " + path + " = "
          + value.render(ConfigRenderOptions.concise()) + ": " + reason);
    }

    IllegalArgumentException missing(String path, ConfigValue parent) {
      int line = parent.origin().lineNumber();
      return new IllegalArgumentException("trading calendar " + file + (line > 0 ? " line " + line : "") + ": " + path + " is missing");
    }

    ConfigObject object(ConfigValue value, String path) {
      if (value.valueType() != ConfigValueType.OBJECT) throw bad(path, value, "expected an object { ... }");
      return (ConfigObject) value;
    }

    ConfigList list(ConfigValue value, String path) {
      if (value.valueType() != ConfigValueType.LIST) throw bad(path, value, "expected a list [ ... ]");
      return (ConfigList) value;
    }

    String string(ConfigValue value, String path) {
      if (value.valueType() != ConfigValueType.STRING) throw bad(path, value, "expected a quoted string");
      String text = ((String) value.unwrapped()).trim();
      if (text.isEmpty()) throw bad(path, value, "must not be empty");
      return text;
    }

    ConfigValue required(ConfigObject object, String key, String path) {
      ConfigValue value = object.get(key);
      if (value == null || value.valueType() == ConfigValueType.NULL) throw missing(path + "." + key, object);
      return value;
    }

    void onlyKeys(ConfigObject object, String path, Set<String> allowed) {
      for (Map.Entry<String, ConfigValue> entry : object.entrySet())
        if (!allowed.contains(entry.getKey()))
          throw bad(path + "." + entry.getKey(), entry.getValue(), "unknown key (known here: " + new TreeSet<>(allowed) + ")");
    }

    LocalDate date(ConfigValue value, String path) {
      String text = string(value, path);
      try {
        return LocalDate.parse(text);
      } catch (DateTimeParseException e) {
        throw bad(path, value, "not a date (yyyy-MM-dd)");
      }
    }

    DayOfWeek dayOfWeek(ConfigValue value, String path) {
      String text = string(value, path);
      for (DayOfWeek day : DayOfWeek.values()) if (day.name().equals(text)) return day;
      throw bad(path, value, "not a day of the week (MONDAY..SUNDAY)");
    }

    LocalTime time(ConfigValue value, String path) {
      String text = string(value, path);
      try {
        return LocalTime.parse(text);
      } catch (DateTimeParseException e) {
        throw bad(path, value, "not a time of day (HH:mm)");
      }
    }

    VenueRules venue(ConfigObject object, String path) {
      onlyKeys(object, path, VENUE_KEYS);
      List<LocalWindow> regular = windows(required(object, "regular-windows", path), path + ".regular-windows");
      Set<DayOfWeek> weekend = EnumSet.noneOf(DayOfWeek.class);
      ConfigList weekendList = list(required(object, "weekend", path), path + ".weekend");
      for (int i = 0; i < weekendList.size(); i++) {
        String itemPath = path + ".weekend[" + i + "]";
        if (!weekend.add(dayOfWeek(weekendList.get(i), itemPath))) throw bad(itemPath, weekendList.get(i), "listed twice");
      }
      if (weekend.size() == 7) throw bad(path + ".weekend", weekendList, "a venue with every day a weekend day never trades");
      SortedSet<Integer> years = new TreeSet<>();
      Map<LocalDate, String> holidays = new HashMap<>();
      Map<LocalDate, Special> specials = new HashMap<>();
      ConfigObject yearsObject = object(required(object, "years", path), path + ".years");
      for (Map.Entry<String, ConfigValue> entry : yearsObject.entrySet()) {
        String yearPath = path + ".years." + entry.getKey();
        int year;
        try {
          year = Integer.parseInt(entry.getKey());
        } catch (NumberFormatException e) {
          throw bad(yearPath, entry.getValue(), "a year is keyed by its number, such as \"2024\"");
        }
        if (year < 1900 || year > 9999) throw bad(yearPath, entry.getValue(), "not a year in 1900..9999");
        years.add(year);
        year(object(entry.getValue(), yearPath), yearPath, year, holidays, specials);
      }
      return new VenueRules(regular, Collections.unmodifiableSet(weekend), Collections.unmodifiableSortedSet(years),
          Map.copyOf(holidays), Map.copyOf(specials));
    }

    void year(ConfigObject object, String path, int year, Map<LocalDate, String> holidays, Map<LocalDate, Special> specials) {
      onlyKeys(object, path, YEAR_KEYS);
      ConfigList sources = list(required(object, "sources", path), path + ".sources");
      if (sources.isEmpty()) throw bad(path + ".sources", sources, "name at least one source (the exchange's circular) of the year's list");
      for (int i = 0; i < sources.size(); i++) string(sources.get(i), path + ".sources[" + i + "]");

      ConfigList holidayList = list(required(object, "holidays", path), path + ".holidays");
      for (int i = 0; i < holidayList.size(); i++) {
        String itemPath = path + ".holidays[" + i + "]";
        ConfigObject holiday = object(holidayList.get(i), itemPath);
        onlyKeys(holiday, itemPath, HOLIDAY_KEYS);
        ConfigValue dateValue = required(holiday, "date", itemPath);
        LocalDate date = dateInYear(dateValue, itemPath + ".date", year);
        String name = string(required(holiday, "name", itemPath), itemPath + ".name");
        if (holidays.putIfAbsent(date, name) != null) throw bad(itemPath + ".date", dateValue, "this date is already a holiday");
      }

      ConfigValue specialValue = object.get("special-sessions");
      if (specialValue == null) return;
      ConfigList specialList = list(specialValue, path + ".special-sessions");
      for (int i = 0; i < specialList.size(); i++) {
        String itemPath = path + ".special-sessions[" + i + "]";
        ConfigObject special = object(specialList.get(i), itemPath);
        onlyKeys(special, itemPath, SPECIAL_KEYS);
        ConfigValue dateValue = required(special, "date", itemPath);
        LocalDate date = dateInYear(dateValue, itemPath + ".date", year);
        ConfigValue kindValue = required(special, "kind", itemPath);
        Kind kind = specialKind(kindValue, itemPath + ".kind");
        String name = string(required(special, "name", itemPath), itemPath + ".name");
        if (special.containsKey("source")) string(special.get("source"), itemPath + ".source");
        List<LocalWindow> windows = windows(required(special, "windows", itemPath), itemPath + ".windows");
        if (specials.putIfAbsent(date, new Special(kind, name, windows)) != null)
          throw bad(itemPath + ".date", dateValue, "this date already has a special session");
      }
    }

    LocalDate dateInYear(ConfigValue value, String path, int year) {
      LocalDate date = date(value, path);
      if (date.getYear() != year) throw bad(path, value, "not in the year " + year + " it is listed under");
      return date;
    }

    Kind specialKind(ConfigValue value, String path) {
      String text = string(value, path);
      for (Kind kind : SPECIAL_KINDS) if (kind.name().equals(text)) return kind;
      throw bad(path, value, "a special session's kind is one of " + SPECIAL_KINDS);
    }

    List<LocalWindow> windows(ConfigValue value, String path) {
      ConfigList list = list(value, path);
      if (list.isEmpty()) throw bad(path, value, "at least one window { open = \"HH:mm\", close = \"HH:mm\" }");
      List<LocalWindow> windows = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        String itemPath = path + "[" + i + "]";
        ConfigObject window = object(list.get(i), itemPath);
        onlyKeys(window, itemPath, WINDOW_KEYS);
        LocalTime open = time(required(window, "open", itemPath), itemPath + ".open");
        ConfigValue closeValue = required(window, "close", itemPath);
        LocalTime close = time(closeValue, itemPath + ".close");
        if (!open.isBefore(close)) throw bad(itemPath + ".close", closeValue, "a window closes after it opens (" + open + ")");
        if (!windows.isEmpty() && open.isBefore(windows.get(windows.size() - 1).close()))
          throw bad(itemPath + ".open", window.get("open"), "windows are in time order and do not overlap (the one before closes at "
              + windows.get(windows.size() - 1).close() + ")");
        windows.add(new LocalWindow(open, close));
      }
      return List.copyOf(windows);
    }
  }
}
