package dev.ordo.sim;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordo.broker.neo.NeoCredentials;
import dev.ordo.broker.neo.NeoWire;
import dev.ordo.broker.neo.ScripMaster;
import dev.ordo.broker.neo.Totp;
import dev.ordo.broker.data.BarFileReader;
import dev.ordo.engine.marketdata.ReplaySchedule;
import dev.ordo.engine.venue.VenueRules;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker simulator shaped like the Kotak Neo trade API ({@code shared/specs/kotak-neo-api.md}):
 * two-step login (TOTP, then MPIN), orders, order and trade books, positions, limits, quotes, the
 * scrip master, and a market-data WebSocket at {@code /realtime}. Prices come from bar files
 * replayed at {@code speed}; orders are matched with the paper broker's fill model. It injects the
 * faults of {@link SimFaults} and counts what happened at {@code GET /sim/stats}. Bad input (malformed
 * JSON, unknown order, unknown scrip) and orders the venue refuses (tick or lot size, freeze quantity,
 * product, holdings, cash: {@link dev.ordo.engine.venue.VenueBook}) get a 4xx answer with
 * {@code {"stat":"Not_Ok","emsg":...,"stCode":...}}. Wrong TOTPs in a row lock the user out for a while
 * ({@link LoginLockout}).
 */
public final class BrokerSimulator extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(BrokerSimulator.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int[] ERROR_STATUSES = {429, 500, 502, 503};

  /**
   * What to simulate.
   *
   * @param speed   replay seconds per wall-clock second, null for as fast as possible
   * @param cash    cash of the simulated account, INR
   * @param rules   the venue's freeze quantity and market protection (tick and lot size come from the scrip master)
   * @param lockout wrong TOTPs in a row that lock the user out, and for how long
   */
  public record Settings(String host, int port, Path data, LocalDate from, LocalDate to, Double speed, NeoCredentials credentials,
      SimFaults faults, BigDecimal cash, VenueRules rules, LoginLockout lockout) {

    /** With the default {@link VenueRules} and {@link LoginLockout}. */
    public Settings(String host, int port, Path data, LocalDate from, LocalDate to, Double speed, NeoCredentials credentials, SimFaults faults,
        BigDecimal cash) {
      this(host, port, data, from, to, speed, credentials, faults, cash, VenueRules.defaults(), LoginLockout.defaults());
    }
  }

  /**
   * The user's lock-out after wrong TOTPs, as brokers do.
   *
   * @param wrongTotps wrong TOTPs in a row that lock the user (at least 1)
   * @param duration   how long the lock lasts (wall clock)
   */
  public record LoginLockout(int wrongTotps, Duration duration) {

    public LoginLockout {
      if (wrongTotps < 1) throw new IllegalArgumentException("--lockout-after must be at least 1, got " + wrongTotps);
      if (duration == null || duration.isNegative()) throw new IllegalArgumentException("--lockout must be a duration, got " + duration);
    }

    /** 5 wrong TOTPs lock the user for 15 minutes. */
    public static LoginLockout defaults() {
      return new LoginLockout(5, Duration.ofMinutes(15));
    }
  }

  private final Settings settings;
  private final SimStats stats = new SimStats();
  private final SimAuth auth;
  private final SimSockets sockets;
  private final ScripMaster master;
  private final ActorRef<SimExchange.Command> exchange;
  private final ActorSystem<?> system;
  private final Random random;
  private final Clock clock;
  private volatile ServerBinding binding;
  private final List<Cancellable> faultTimers = new java.util.concurrent.CopyOnWriteArrayList<>();

  private BrokerSimulator(ActorSystem<?> system, Settings settings, Clock clock) {
    this.system = system;
    this.settings = settings;
    this.clock = clock;
    this.random = new Random(settings.faults().seed());
    ReplaySchedule schedule = ReplaySchedule.of(BarFileReader.readFolder(settings.data()), settings.from(), settings.to());
    this.master = ScripMaster.numbering(schedule.instruments().values());
    this.auth = new SimAuth(clock, settings.faults().tokenTtl(), settings.lockout(), stats);
    this.sockets = new SimSockets(auth, master, stats, Materializer.matFromSystem(system));
    this.exchange = system.systemActorOf(SimExchange.create(schedule, master, settings.rules(), settings.speed(), settings.cash(), stats, sockets),
        "sim-exchange-" + System.identityHashCode(this), Props.empty());
  }

  /**
   * Reads the data, starts the market and binds the server.
   *
   * @throws dev.ordo.broker.data.BadBarDataException on a bad bar row
   */
  public static CompletionStage<BrokerSimulator> start(ActorSystem<?> system, Settings settings, Clock clock) {
    BrokerSimulator simulator = new BrokerSimulator(system, settings, clock);
    return Http.get(system).newServerAt(settings.host(), settings.port()).bind(simulator.routes()).thenApply(bound -> {
      simulator.binding = bound;
      simulator.startFaultTimers();
      log.info("Broker simulator on http://{}:{} ({} instruments, faults {})", bound.localAddress().getHostString(),
          bound.localAddress().getPort(), simulator.master.instruments().size(), settings.faults());
      return simulator;
    });
  }

  public InetSocketAddress address() {
    return binding.localAddress();
  }

  /** {@code http://host:port} of the simulator. */
  public String baseUrl() {
    return "http://" + address().getHostString() + ":" + address().getPort();
  }

  public SimStats.Snapshot stats() {
    return stats.snapshot();
  }

  /** Closes every market-data socket now (a drop fault on demand). */
  public int dropSockets() {
    return sockets.dropAll();
  }

  /** Stops the simulated market: no more bars, ticks or fills; orders, books and logins keep working. */
  public CompletionStage<Done> pauseMarket() {
    return AskPattern.<SimExchange.Command, SimExchange.Reply>ask(exchange, SimExchange.PauseMarket::new, Duration.ofSeconds(10), system.scheduler())
        .thenApply(reply -> Done.getInstance());
  }

  /** Starts a market paused by {@link #pauseMarket} again from where it stopped. */
  public CompletionStage<Done> resumeMarket() {
    return AskPattern.<SimExchange.Command, SimExchange.Reply>ask(exchange, SimExchange.ResumeMarket::new, Duration.ofSeconds(10), system.scheduler())
        .thenApply(reply -> Done.getInstance());
  }

  /** Every market-data socket stays open but silent for {@code duration} (a stall fault on demand). */
  public int stallSockets(Duration duration) {
    return sockets.stallAll(duration.toNanos());
  }

  /** {@code ws://host:port/realtime}, the market-data WebSocket. */
  public String marketDataUrl() {
    return "ws://" + address().getHostString() + ":" + address().getPort() + "/realtime";
  }

  /** {@code ws://host:port/orderfeed}, the order-update WebSocket. */
  public String orderFeedUrl() {
    return "ws://" + address().getHostString() + ":" + address().getPort() + "/orderfeed";
  }

  /** Stops the fault timers and unbinds. */
  public CompletionStage<Done> stop() {
    faultTimers.forEach(Cancellable::cancel);
    sockets.dropAll();
    return binding.unbind().thenApply(x -> Done.getInstance());
  }

  private void startFaultTimers() {
    SimFaults faults = settings.faults();
    var scheduler = system.classicSystem().scheduler();
    var dispatcher = system.executionContext();
    faultTimers.add(scheduler.scheduleAtFixedRate(Duration.ofSeconds(10), Duration.ofSeconds(10), sockets::heartbeat, dispatcher));
    if (faults.dropWsEvery() != null)
      faultTimers.add(scheduler.scheduleAtFixedRate(faults.dropWsEvery(), faults.dropWsEvery(), () -> {
        int n = sockets.dropAll();
        if (n > 0) log.info("Fault: dropped {} market-data socket(s)", n);
      }, dispatcher));
    if (faults.stallWsEvery() != null)
      faultTimers.add(scheduler.scheduleAtFixedRate(faults.stallWsEvery(), faults.stallWsEvery(), () -> {
        int n = sockets.stallAll(faults.stallFor().toNanos());
        if (n > 0) log.info("Fault: stalled {} market-data socket(s) for {}s", n, faults.stallFor().toSeconds());
      }, dispatcher));
  }

  // ------------------------------------------------------------------ routes

  private Route routes() {
    Route api = concat(
        path(PathMatchers.segment("login").slash("1.0").slash("tradeApiLogin"), () -> post(this::login)),
        path(PathMatchers.segment("login").slash("1.0").slash("tradeApiValidate"), () -> post(this::validate)),
        path(PathMatchers.segment("quick").slash("order").slash("rule").slash("ms").slash("place"),
            () -> post(() -> trading(true, () -> form(SimExchange.Place::new)))),
        path(PathMatchers.segment("quick").slash("order").slash("vr").slash("modify"),
            () -> post(() -> trading(false, () -> form(SimExchange.Modify::new)))),
        path(PathMatchers.segment("quick").slash("order").slash("cancel"),
            () -> post(() -> trading(false, () -> form(SimExchange.Cancel::new)))),
        path(PathMatchers.segment("quick").slash("user").slash("orders"), () -> get(() -> trading(false, () -> ask(SimExchange.GetOrders::new)))),
        path(PathMatchers.segment("quick").slash("user").slash("trades"), () -> get(() -> trading(false, () -> ask(SimExchange.GetTrades::new)))),
        path(PathMatchers.segment("quick").slash("user").slash("positions"),
            () -> get(() -> trading(false, () -> ask(SimExchange.GetPositions::new)))),
        path(PathMatchers.segment("quick").slash("user").slash("limits"), () -> post(() -> trading(false, () -> ask(SimExchange.GetLimits::new)))),
        path(PathMatchers.segment("script-details").slash("1.0").slash("quotes").slash("neosymbol").slash(PathMatchers.segment())
            .slash(PathMatchers.segment()), (scrips, kind) -> get(() -> trading(false,
                () -> ask(replyTo -> new SimExchange.GetQuotes(Arrays.asList(scrips.split(",")), replyTo))))),
        path(PathMatchers.segment("script-details").slash("1.0").slash("masterscrip").slash("file-paths"), () -> get(() -> trading(false,
            () -> json(200, Map.of("data", Map.of("filesPaths", List.of(baseUrl() + "/sim/scrip-master.csv"))))))),
        path(PathMatchers.segment("sim").slash("scrip-master.csv"),
            () -> get(() -> complete(HttpResponse.create().withEntity(ContentTypes.TEXT_CSV_UTF8, master.toCsv())))),
        path(PathMatchers.segment("sim").slash("stats"), () -> get(() -> json(200, stats.snapshot()))),
        path(PathMatchers.segment("sim").slash("clock"), () -> get(() -> ask(SimExchange.GetClock::new))),
        // One flow per connection: the route function runs per request.
        path("realtime", () -> extractRequest(request -> handleWebSocketMessages(sockets.connection(SimSockets.Kind.MARKET)))),
        path("orderfeed", () -> extractRequest(request -> handleWebSocketMessages(sockets.connection(SimSockets.Kind.ORDERS)))));
    return handleRejections(rejections(), () -> api);
  }

  private RejectionHandler rejections() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
      String text = response.entity() instanceof org.apache.pekko.http.javadsl.model.HttpEntity.Strict strict
          ? strict.getData().utf8String() : response.status().reason();
      return response.withEntity(ContentTypes.APPLICATION_JSON,
          write(Map.of("stat", "Not_Ok", "emsg", text, "stCode", response.status().intValue())));
    });
  }

  /** Step 1: consumer key in {@code Authorization}, then mobile number, UCC and TOTP. */
  private Route login() {
    return optionalHeaderValueByName("Authorization", consumerKey -> entity(Unmarshaller.entityToString(), body -> faults(false, () -> {
      NeoCredentials user = settings.credentials();
      if (consumerKey.isEmpty() || !consumerKey.get().equals(user.consumerKey())) return json(401, invalid("/login/1.0/tradeApiLogin"));
      JsonNode request;
      try {
        request = JSON.readTree(body);
      } catch (Exception e) {
        return json(400, Map.of("message", "body is not JSON"));
      }
      if (request == null || !user.mobileNumber().equals(request.path("mobileNumber").asText()) || !user.ucc().equals(request.path("ucc").asText()))
        return json(401, Map.of("message", "Invalid mobile number, UCC or TOTP"));
      Instant locked = auth.lockedOutUntil();
      if (locked != null) return json(403, lockedOut(locked));
      boolean right = Totp.verify(user.totpSeed(), request.path("totp").asText(), clock.instant());
      locked = auth.totpChecked(right);
      if (locked != null) return json(403, lockedOut(locked));
      if (!right) return json(401, Map.of("message", "Invalid mobile number, UCC or TOTP"));
      String[] view = auth.issueView();
      return json(200, Map.of("data", Map.of("token", view[0], "sid", view[1], "rid", "r1", "hsServerId", "", "status", "success")));
    })));
  }

  /** Step 2: the view token in {@code Auth} and its {@code sid}, then the MPIN; answers the trade token and base URL. */
  private Route validate() {
    return optionalHeaderValueByName("Auth", viewToken -> optionalHeaderValueByName("sid", sid -> entity(Unmarshaller.entityToString(),
        body -> faults(false, () -> {
          String session = auth.viewSession(viewToken.orElse(null));
          if (session == null || !session.equals(sid.orElse(""))) return json(401, invalid("/login/1.0/tradeApiValidate"));
          JsonNode request;
          try {
            request = JSON.readTree(body);
          } catch (Exception e) {
            return json(400, Map.of("message", "body is not JSON"));
          }
          if (request == null || !settings.credentials().mpin().equals(request.path("mpin").asText()))
            return json(401, Map.of("message", "Invalid MPIN"));
          stats.logins.incrementAndGet();
          String trade = auth.issueTrade(session);
          Map<String, Object> data = new LinkedHashMap<>();
          data.put("token", trade);
          data.put("sid", session);
          data.put("rid", "r1");
          data.put("hsServerId", "sim1");
          data.put("dataCenter", "sim");
          data.put("baseUrl", baseUrl());
          return json(200, Map.of("data", data));
        }))));
  }

  /** A trading call: the trade token in {@code Auth}; injected errors, latency and (for placements) ambiguity. */
  private Route trading(boolean placement, Supplier<Route> inner) {
    return optionalHeaderValueByName("Auth", token -> extractUri(uri -> {
      SimAuth.Validity validity = auth.check(token.orElse(null));
      if (validity != SimAuth.Validity.VALID || !auth.isTradeToken(token.orElse(null))) {
        stats.authRejections.incrementAndGet();
        return json(401, invalid(uri.path()));
      }
      return faults(placement, inner);
    }));
  }

  private Route faults(boolean placement, Supplier<Route> inner) {
    SimFaults faults = settings.faults();
    if (faults.errorRate() > 0 && random.nextDouble() < faults.errorRate()) {
      stats.injectedErrors.incrementAndGet();
      int status = ERROR_STATUSES[random.nextInt(ERROR_STATUSES.length)];
      String message = switch (status) {
        case 429 -> "Too many requests";
        case 502 -> "Not able to communicate with OMS";
        case 503 -> "Service unavailable";
        default -> "Internal server error";
      };
      return delayed(json(status, Map.of("stat", "Not_Ok", "emsg", message, "stCode", status)));
    }
    if (placement && faults.ambiguousRate() > 0 && random.nextDouble() < faults.ambiguousRate()) {
      stats.ambiguousAnswers.incrementAndGet();
      return ambiguous.apply(inner);
    }
    return delayed(inner.get());
  }

  /**
   * The order is carried out (the inner route runs and the exchange answers) but the HTTP answer
   * never comes: the response waits for a future nobody completes, until the client gives up.
   */
  private final Function<Supplier<Route>, Route> ambiguous = inner -> withRequestTimeout(Duration.ofMinutes(5),
      () -> mapRouteResultFuture(result -> result.thenCompose(done -> new CompletableFuture<>()), inner));

  private Route delayed(Route route) {
    Duration latency = settings.faults().latency();
    if (latency == null || latency.isZero()) return route;
    CompletableFuture<Done> wait = new CompletableFuture<>();
    CompletableFuture.delayedExecutor(latency.toMillis(), TimeUnit.MILLISECONDS).execute(() -> wait.complete(Done.getInstance()));
    return onSuccess(wait, done -> route);
  }

  private Route form(java.util.function.BiFunction<Map<String, String>, ActorRef<SimExchange.Reply>, SimExchange.Command> command) {
    return formField("jData", jData -> {
      Map<String, String> fields;
      try {
        fields = JSON.readValue(jData, new TypeReference<Map<String, Object>>() {}).entrySet().stream().collect(
            java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
      } catch (Exception e) {
        return json(400, Map.of("stat", "Not_Ok", "emsg", "jData is not a JSON object", "stCode", 400));
      }
      return ask(replyTo -> command.apply(fields, replyTo));
    });
  }

  private Route ask(Function<ActorRef<SimExchange.Reply>, SimExchange.Command> message) {
    CompletionStage<SimExchange.Reply> reply = AskPattern.ask(exchange, message::apply, Duration.ofSeconds(10), system.scheduler());
    return onSuccess(reply, r -> json(r.status(), r.body()));
  }

  /**
   * The answer to a login while the user is locked out. Kotak Neo's documents show no lock-out
   * answer; this one is invented in the shape of its other errors ({@code stat}, {@code emsg},
   * {@code stCode}), with HTTP 403.
   */
  private Map<String, Object> lockedOut(Instant until) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("stat", "Not_Ok");
    body.put("emsg", "User is locked after " + settings.lockout().wrongTotps() + " invalid TOTP attempts; try again after " + until);
    body.put("stCode", 403);
    return body;
  }

  private static Map<String, Object> invalid(String api) {
    return Map.of("code", NeoWire.INVALID_CREDENTIALS, "message", "Invalid Credentials", "description",
        "Access failure for API: " + api + ", version: 2.0 status: (900901) - Invalid Credentials");
  }

  private Route json(int status, Object body) {
    return complete(HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, write(body)));
  }

  private static String write(Object body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
