package dev.ordo.sim;

import dev.ordo.broker.neo.NeoBroker;
import dev.ordo.broker.neo.NeoCredentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.broker.BrokerCall;
import dev.ordo.engine.broker.BrokerGateway;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.OrderSide;
import dev.ordo.engine.model.OrderStatus;
import dev.ordo.engine.model.OrderType;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TimeInForce;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.AccountLimits;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.port.SessionToken;
import dev.ordo.engine.time.ReplayClock;
import dev.ordo.engine.venue.VenueRules;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.binary.Base32;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The networked adapter against the broker simulator on loopback. */
class NeoBrokerSimulatorTest {

  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());
  static final Path SAMPLE = Path.of("..", "data", "sample", "nse_equity_5min");
  static final InstrumentId TCS = new InstrumentId("TCS-EQ", "NSE");
  static final NeoCredentials USER = new NeoCredentials("consumer-key-1", "+919999999999", "AB123", "1234",
      new Base32().encodeToString("a test seed of twenty".getBytes(StandardCharsets.US_ASCII)));

  BrokerSimulator simulator;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stop() throws Exception {
    if (simulator != null) simulator.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  NeoBroker start(SimFaults faults, Duration callTimeout) throws Exception {
    return start(faults, callTimeout, Clock.systemUTC());
  }

  /** Starts the simulator on {@code simulatorClock} (its token times and TOTP checks). */
  NeoBroker start(SimFaults faults, Duration callTimeout, Clock simulatorClock) throws Exception {
    return start(new BrokerSimulator.Settings("127.0.0.1", 0, SAMPLE, null, null, null, USER, faults, new BigDecimal("10000000")), callTimeout,
        simulatorClock);
  }

  NeoBroker start(BrokerSimulator.Settings settings, Duration callTimeout, Clock simulatorClock) throws Exception {
    simulator = get(BrokerSimulator.start(testKit.system(), settings, simulatorClock));
    return new NeoBroker(testKit.system(), new NeoBroker.Settings(simulator.baseUrl(), callTimeout, Clock.systemUTC()));
  }

  /** A raw call to the simulator with {@code fields} as {@code jData}, as a client other than Ordo's would send it. */
  HttpResponse<String> post(SessionToken token, String path, Map<String, String> fields) throws Exception {
    String jData = URLEncoder.encode(new ObjectMapper().writeValueAsString(fields), StandardCharsets.UTF_8);
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path + "?sId=sim1")).header("Auth", token.value())
        .header("Sid", token.sid()).header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(
            "jData=" + jData)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static Map<String, String> order(String tag, String side, String type, String quantity, String price, String trigger, String product) {
    Map<String, String> order = new LinkedHashMap<>();
    order.put("es", "nse_cm");
    order.put("ts", "TCS-EQ");
    order.put("tt", side);
    order.put("pt", type);
    order.put("qt", quantity);
    order.put("pr", price);
    order.put("tp", trigger);
    order.put("pc", product);
    order.put("rt", "DAY");
    order.put("ig", tag);
    return order;
  }

  static <T> T ok(BrokerResult<T> result) {
    if (result instanceof BrokerResult.Err<T> err) throw new AssertionError("expected Ok, got " + err.error());
    return ((BrokerResult.Ok<T>) result).value();
  }

  static <T> BrokerError error(BrokerResult<T> result) {
    return assertInstanceOf(BrokerResult.Err.class, result).error();
  }

  static OrderRequest limitBuy(String id, String price) {
    return new OrderRequest(ClientOrderId.of(id), TCS, OrderSide.BUY, OrderType.LIMIT, Quantity.of(2), null, Price.of(price), TimeInForce.DAY);
  }

  @Test
  void logsInWithTotpAndMpinPlacesFindsAndCancelsByTag() throws Exception {
    NeoBroker broker = start(SimFaults.none(), Duration.ofSeconds(5));
    SessionToken token = ok(get(broker.login(USER.toCredentials())));
    assertTrue(broker.scripMaster().byId(TCS).isPresent(), "scrip master loaded at login");
    VenueOrderId id = ok(get(broker.placeOrder(token, limitBuy("TCS-EQ-1", "1.00"))));
    List<OrderReport> book = ok(get(broker.orderBook(token)));
    OrderReport row = book.stream().filter(r -> r.clientOrderId().value().equals("TCS-EQ-1")).findFirst().orElseThrow();
    assertEquals(id, row.venueOrderId());
    assertEquals(OrderStatus.ACCEPTED, row.status());
    assertEquals(Price.of("1.00"), row.limit());

    assertEquals(id, ok(get(broker.modifyOrder(token, id, null, Price.of("1.05")))));
    assertEquals(id, ok(get(broker.cancelOrder(token, id))));
    BrokerError again = error(get(broker.cancelOrder(token, id)));
    assertInstanceOf(BrokerError.Rejected.class, again);
    assertTrue(again.detail().contains("not open"), again.detail());
    assertEquals(OrderStatus.CANCELED, ok(get(broker.orderBook(token))).get(0).status());
    assertEquals(1, simulator.stats().logins());
  }

  @Test
  void aMarketOrderAfterTheCloseFillsAndShowsInTradesAndPositions() throws Exception {
    NeoBroker broker = start(SimFaults.none(), Duration.ofSeconds(5));
    SessionToken token = ok(get(broker.login(USER.toCredentials())));
    awaitEndOfData();
    OrderRequest market = new OrderRequest(ClientOrderId.of("TCS-EQ-7"), TCS, OrderSide.BUY, OrderType.MARKET, Quantity.of(3), null, null,
        TimeInForce.DAY);
    ok(get(broker.placeOrder(token, market)));
    List<Fill> fills = ok(get(broker.trades(token)));
    assertEquals(1, fills.size());
    assertEquals(ClientOrderId.of("TCS-EQ-7"), fills.get(0).clientOrderId());
    assertEquals(Quantity.of(3), fills.get(0).lastQty());
    List<PositionReport> positions = ok(get(broker.positions(token)));
    assertEquals(0, positions.get(0).netQuantity().compareTo(BigDecimal.valueOf(3)));
    assertTrue(ok(get(broker.limits(token))).available().get("INR").compareTo(new BigDecimal("10000000")) < 0);
  }

  @Test
  void wrongCredentialsAreRefusedNotTreatedAsAnExpiredSession() throws Exception {
    NeoBroker broker = start(SimFaults.none(), Duration.ofSeconds(5));
    NeoCredentials wrong = new NeoCredentials(USER.consumerKey(), USER.mobileNumber(), USER.ucc(), "9999", USER.totpSeed());
    BrokerError refused = error(get(broker.login(wrong.toCredentials())));
    assertInstanceOf(BrokerError.Rejected.class, refused);
    assertEquals(0, simulator.stats().logins());
  }

  @Test
  void wrongTotpsLockTheUserOutAndTheSessionLogsInWithBackOffOnceTheLockEnds() throws Exception {
    NeoBroker broker = start(new BrokerSimulator.Settings("127.0.0.1", 0, SAMPLE, null, null, null, USER, SimFaults.none(),
        new BigDecimal("10000000"), VenueRules.defaults(), new BrokerSimulator.LoginLockout(5, Duration.ofSeconds(3))), Duration.ofSeconds(5),
        Clock.systemUTC());
    NeoCredentials wrongSeed = new NeoCredentials(USER.consumerKey(), USER.mobileNumber(), USER.ucc(), USER.mpin(),
        new Base32().encodeToString("not the seed, twenty".getBytes(StandardCharsets.US_ASCII)));
    for (int attempt = 1; attempt <= 4; attempt++)
      assertEquals(new BrokerError.Rejected("login refused: 401 Invalid mobile number, UCC or TOTP"), error(get(broker.login(wrongSeed.toCredentials()))));
    String lockedOut = "login refused: 403 User is locked after 5 invalid TOTP attempts; try again after ";
    BrokerError fifth = error(get(broker.login(wrongSeed.toCredentials())));
    assertTrue(fifth.detail().startsWith(lockedOut), fifth.detail());
    BrokerError right = error(get(broker.login(USER.toCredentials())));
    assertTrue(right.detail().startsWith(lockedOut), "a right TOTP is refused too while locked: " + right.detail());

    AccountId account = AccountId.of("locked-out");
    ActorRef<AuthSession.Command> auth = testKit.spawn(AuthSession.create(account, broker, USER.toCredentials(),
        new AuthSession.Settings(10, Duration.ofSeconds(20), Duration.ofMillis(250), Duration.ofSeconds(1))));
    TestProbe<AuthSession.TokenReply> caller = testKit.createTestProbe();
    auth.tell(new AuthSession.GetToken(caller.ref()));
    assertInstanceOf(AuthSession.Granted.class, caller.receiveMessage(Duration.ofSeconds(15)), "served once the lock-out has ended");
    TestProbe<AuthSession.Status> status = testKit.createTestProbe();
    auth.tell(new AuthSession.GetStatus(status.ref()));
    AuthSession.Status session = status.receiveMessage();
    assertEquals(1, session.logins());
    // Back-off 0.25 s doubling to 1 s: attempts at 0, 0.25, 0.75, 1.75 and 2.75 s can fall within the 3 s lock-out, the next succeeds.
    assertTrue(session.failedLogins() >= 1 && session.failedLogins() <= 5, "retried with back-off, a bounded number of times: " + session);
    assertEquals(session.failedLogins() + 2, simulator.stats().lockedOutLogins(), "the locking attempt, the right TOTP, and the session's failures");
    assertEquals(5, simulator.stats().wrongTotps(), "the session's own TOTPs were right");
    assertEquals(1, simulator.stats().logins());
  }

  @Test
  void anExpiredTokenAnswers900901AndManyCallersCauseOneReLogin() throws Exception {
    // The simulator's clock only moves when told: its tokens expire exactly when the test says, and the new one never does.
    ReplayClock simulatorClock = new ReplayClock(Instant.now());
    NeoBroker broker = start(new SimFaults(Duration.ofSeconds(2), null, null, null, 0, null, 0, 1), Duration.ofSeconds(5), simulatorClock);
    AccountId account = AccountId.of("neo");
    ActorRef<AuthSession.Command> auth = testKit.spawn(AuthSession.create(account, broker, USER.toCredentials(), AuthSession.Settings.defaults()));
    ActorRef<BrokerGateway.Command> gateway = testKit.spawn(BrokerGateway.create(account, broker, auth, BrokerGateway.Settings.defaults()
        .withRate(1000, 100)));
    TestProbe<BrokerCall.Reply> replies = testKit.createTestProbe();
    gateway.tell(new BrokerGateway.Execute(new BrokerCall.GetOrderBook(), BrokerGateway.Priority.NORMAL, replies.ref()));
    assertInstanceOf(BrokerCall.OrderBook.class, replies.receiveMessage(Duration.ofSeconds(10)));
    simulatorClock.advanceTo(simulatorClock.instant().plusSeconds(2));
    for (int i = 0; i < 50; i++)
      gateway.tell(new BrokerGateway.Execute(new BrokerCall.PlaceOrder(limitBuy("TCS-EQ-" + i, "1.00")), BrokerGateway.Priority.CRITICAL,
          replies.ref()));
    Set<String> placed = new HashSet<>();
    for (BrokerCall.Reply reply : replies.receiveSeveralMessages(50, Duration.ofSeconds(20)))
      placed.add(assertInstanceOf(BrokerCall.Placed.class, reply).clientOrderId().value());
    assertEquals(50, placed.size());
    assertEquals(2, simulator.stats().logins(), "one re-login for every caller that met the expired token");
    assertTrue(simulator.stats().authRejections() >= 1);
    assertEquals(0, simulator.stats().duplicateClientOrderIds());
  }

  @Test
  void aBuyHoldsCashUntilCanceledAndOneBeyondTheCashIsRejectedAndKeptInTheBook() throws Exception {
    NeoBroker broker = start(SimFaults.none(), Duration.ofSeconds(5));
    SessionToken token = ok(get(broker.login(USER.toCredentials())));
    VenueOrderId id = ok(get(broker.placeOrder(token, limitBuy("TCS-EQ-1", "1.50"))));
    AccountLimits held = ok(get(broker.limits(token)));
    assertEquals(0, new BigDecimal("9999997").compareTo(held.available().get("INR")), "2 x 1.50 held: " + held);
    assertEquals(0, new BigDecimal("3").compareTo(held.reserved().get("INR")), held.toString());
    ok(get(broker.cancelOrder(token, id)));
    AccountLimits released = ok(get(broker.limits(token)));
    assertEquals(0, new BigDecimal("10000000").compareTo(released.available().get("INR")), released.toString());
    assertEquals(0, released.reserved().get("INR").signum(), released.toString());

    OrderRequest tooBig = new OrderRequest(ClientOrderId.of("TCS-EQ-2"), TCS, OrderSide.BUY, OrderType.LIMIT, Quantity.of(100_000), null,
        Price.of("100.05"), TimeInForce.DAY);
    BrokerError rejected = error(get(broker.placeOrder(token, tooBig)));
    assertEquals(new BrokerError.Rejected("400 insufficient funds: order needs 10005000.00 INR, available 10000000.00"), rejected);
    OrderReport row = ok(get(broker.orderBook(token))).stream().filter(r -> r.clientOrderId().value().equals("TCS-EQ-2")).findFirst().orElseThrow();
    assertEquals(OrderStatus.REJECTED, row.status());
    assertEquals(1, simulator.stats().ordersPlaced(), "only the accepted one");
  }

  @Test
  void anUnansweredPlacementIsATimeoutAndTheOrderIsInTheBookExactlyOnce() throws Exception {
    NeoBroker broker = start(new SimFaults(null, null, null, null, 0, null, 1.0, 1), Duration.ofMillis(800));
    SessionToken token = ok(get(broker.login(USER.toCredentials())));
    BrokerError unknown = error(get(broker.placeOrder(token, limitBuy("TCS-EQ-42", "1.00"))));
    assertInstanceOf(BrokerError.Timeout.class, unknown);
    List<OrderReport> book = ok(get(broker.orderBook(token)));
    assertEquals(1, book.stream().filter(r -> r.clientOrderId().value().equals("TCS-EQ-42")).count(), "found again by its tag");
    assertEquals(1, simulator.stats().ordersPlaced());
    assertEquals(1, simulator.stats().ambiguousAnswers());
  }

  @Test
  void injectedErrorsAreTypedAndChangeNothing() throws Exception {
    NeoBroker broker = start(new SimFaults(null, null, null, null, 1.0, null, 0, 3), Duration.ofSeconds(5));
    for (int i = 0; i < 8; i++) {
      BrokerError error = error(get(broker.login(USER.toCredentials())));
      assertTrue(error instanceof BrokerError.RateLimited || error instanceof BrokerError.Unavailable, error.toString());
    }
    assertEquals(0, simulator.stats().logins());
    assertEquals(8, simulator.stats().injectedErrors());
  }

  @Test
  void badInputGetsA4xxAndTheSimulatorKeepsServing() throws Exception {
    NeoBroker broker = start(SimFaults.none(), Duration.ofSeconds(5));
    SessionToken token = ok(get(broker.login(USER.toCredentials())));
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    String base = simulator.baseUrl();
    HttpRequest.Builder authed = HttpRequest.newBuilder().header("Auth", token.value()).header("Sid", token.sid());

    HttpResponse<String> malformed = http.send(authed.copy().uri(URI.create(base + "/quick/order/rule/ms/place?sId=sim1"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("jData=" + URLEncoder.encode("{not json", StandardCharsets.UTF_8))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, malformed.statusCode());
    assertEquals("Not_Ok", json.readTree(malformed.body()).path("stat").asText());

    HttpResponse<String> missing = http.send(authed.copy().uri(URI.create(base + "/quick/order/rule/ms/place?sId=sim1"))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("x=1")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, missing.statusCode());
    assertTrue(json.readTree(missing.body()).path("emsg").asText().contains("jData"), missing.body());

    assertInstanceOf(BrokerError.Rejected.class, error(get(broker.cancelOrder(token, VenueOrderId.of("123")))));
    OrderRequest unknown = new OrderRequest(ClientOrderId.of("X-1"), new InstrumentId("TCS", "NSE"), OrderSide.BUY, OrderType.MARKET,
        Quantity.of(1), null, null, TimeInForce.DAY);
    BrokerError unknownSymbol = error(get(broker.placeOrder(token, unknown)));
    assertTrue(unknownSymbol.detail().contains("unknown trading symbol TCS"), unknownSymbol.detail());

    HttpResponse<String> quote = http.send(authed.copy().uri(URI.create(base + "/script-details/1.0/quotes/neosymbol/nse_cm%7C1/ltp")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, quote.statusCode());

    HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create(base + "/quick/user/orders")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(401, noToken.statusCode());
    JsonNode expired = json.readTree(noToken.body());
    assertEquals("900901", expired.path("code").asText());

    HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create(base + "/sim/stats")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, stats.statusCode());
    assertEquals(0, json.readTree(stats.body()).path("ordersPlaced").asInt());
  }

  @Test
  void theSimulatorRefusesWhatTheBrokerRefusesAndTheReasonReachesTheEngineAsRejected() throws Exception {
    NeoBroker broker = start(SimFaults.none(), Duration.ofSeconds(5));
    SessionToken token = ok(get(broker.login(USER.toCredentials())));
    awaitEndOfData();
    record Case(OrderRequest request, String reason) {}
    List<Case> cases = List.of(
        new Case(limitBuy("TCS-EQ-1", "1.03"), "price 1.03 is not a multiple of the tick size 0.05"),
        new Case(new OrderRequest(ClientOrderId.of("TCS-EQ-2"), TCS, OrderSide.SELL, OrderType.STOP_MARKET, Quantity.of(2), Price.of("3000.01"),
            null, TimeInForce.DAY), "trigger price 3000.01 is not a multiple of the tick size 0.05"),
        new Case(new OrderRequest(ClientOrderId.of("TCS-EQ-3"), TCS, OrderSide.BUY, OrderType.MARKET, Quantity.of(99_999_999_999L), null, null,
            TimeInForce.DAY), "quantity 99999999999 exceeds the freeze quantity 100000"));
    for (Case c : cases) {
      assertEquals(new BrokerError.Rejected("400 " + c.reason()), error(get(broker.placeOrder(token, c.request()))), c.reason());
      OrderReport row = ok(get(broker.orderBook(token))).stream().filter(r -> r.clientOrderId().equals(c.request().clientOrderId())).findFirst()
          .orElseThrow();
      assertEquals(OrderStatus.REJECTED, row.status());
      assertEquals(c.reason(), row.rejectReason());
    }
    OrderRequest beyondCash = new OrderRequest(ClientOrderId.of("TCS-EQ-4"), TCS, OrderSide.BUY, OrderType.MARKET, Quantity.of(100_000), null,
        null, TimeInForce.DAY);
    BrokerError noCash = error(get(broker.placeOrder(token, beyondCash)));
    assertInstanceOf(BrokerError.Rejected.class, noCash);
    assertTrue(noCash.detail().startsWith("400 insufficient funds: order needs ") && noCash.detail().endsWith(" INR, available 10000000"),
        noCash.detail());
    assertEquals(List.of(), ok(get(broker.trades(token))), "nothing filled");

    VenueOrderId working = ok(get(broker.placeOrder(token, limitBuy("TCS-EQ-5", "1.00"))));
    assertEquals(new BrokerError.Rejected("400 price 1.02 is not a multiple of the tick size 0.05"),
        error(get(broker.modifyOrder(token, working, null, Price.of("1.02")))));
    assertEquals(Price.of("1.00"), ok(get(broker.orderBook(token))).stream().filter(r -> r.venueOrderId().equals(working)).findFirst()
        .orElseThrow().limit(), "a refused modification keeps the order as it was");

    HttpResponse<String> raw = post(token, "/quick/order/rule/ms/place", order("TCS-EQ-6", "B", "L", "2", "1.03", "0", "MIS"));
    assertEquals(400, raw.statusCode());
    JsonNode body = new ObjectMapper().readTree(raw.body());
    assertEquals("Not_Ok", body.path("stat").asText());
    assertEquals("price 1.03 is not a multiple of the tick size 0.05", body.path("emsg").asText());
    assertEquals(400, body.path("stCode").asInt());
  }

  @Test
  void aDeliveryAndAnIntradayPositionOfOneStockAreTwoRowsAndACncSellNeedsTheShares() throws Exception {
    NeoBroker broker = start(SimFaults.none(), Duration.ofSeconds(5));
    SessionToken token = ok(get(broker.login(USER.toCredentials())));
    awaitEndOfData();
    assertEquals(200, post(token, "/quick/order/rule/ms/place", order("D-1", "B", "MKT", "3", "0", "0", "CNC")).statusCode());
    ok(get(broker.placeOrder(token, new OrderRequest(ClientOrderId.of("TCS-EQ-1"), TCS, OrderSide.SELL, OrderType.MARKET, Quantity.of(2), null,
        null, TimeInForce.DAY))));

    HttpResponse<String> rows = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(simulator.baseUrl()
        + "/quick/user/positions?sId=sim1")).header("Auth", token.value()).header("Sid", token.sid()).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode data = new ObjectMapper().readTree(rows.body()).path("data");
    assertEquals(2, data.size(), rows.body());
    assertEquals(List.of("CNC 3 0", "MIS 0 2"), List.of(
        data.get(0).path("prod").asText() + " " + data.get(0).path("flBuyQty").asText() + " " + data.get(0).path("flSellQty").asText(),
        data.get(1).path("prod").asText() + " " + data.get(1).path("flBuyQty").asText() + " " + data.get(1).path("flSellQty").asText()));
    List<PositionReport> positions = ok(get(broker.positions(token)));
    assertEquals(List.of(new BigDecimal("3"), new BigDecimal("-2")), positions.stream().map(PositionReport::netQuantity).toList());
    OrderReport delivery = ok(get(broker.orderBook(token))).stream().filter(r -> r.clientOrderId().value().equals("D-1")).findFirst().orElseThrow();
    assertEquals(OrderStatus.FILLED, delivery.status());

    HttpResponse<String> oversold = post(token, "/quick/order/rule/ms/place", order("D-2", "S", "MKT", "4", "0", "0", "CNC"));
    assertEquals(400, oversold.statusCode());
    assertEquals("insufficient holdings: CNC sell of 4 TCS-EQ.NSE exceeds the 3 held for delivery",
        new ObjectMapper().readTree(oversold.body()).path("emsg").asText());
    HttpResponse<String> unknown = post(token, "/quick/order/rule/ms/place", order("D-3", "B", "MKT", "1", "0", "0", "BO"));
    assertEquals(400, unknown.statusCode());
    assertEquals("unknown product pc='BO' (CNC, MIS, NRML)", new ObjectMapper().readTree(unknown.body()).path("emsg").asText());
  }

  void awaitEndOfData() {
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
      JsonNode clock = json.readTree(http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/sim/clock")).GET().build(),
          HttpResponse.BodyHandlers.ofString()).body());
      assertEquals(clock.path("stepsTotal").asInt(), clock.path("stepsDone").asInt(), "the simulated market reached the end of the sample");
      return null;
    });
  }
}
