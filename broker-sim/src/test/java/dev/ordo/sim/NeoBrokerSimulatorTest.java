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
import java.util.List;
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
    simulator = get(BrokerSimulator.start(testKit.system(), new BrokerSimulator.Settings("127.0.0.1", 0, SAMPLE, null, null, null, USER, faults,
        new BigDecimal("10000000")), simulatorClock));
    return new NeoBroker(testKit.system(), new NeoBroker.Settings(simulator.baseUrl(), callTimeout, Clock.systemUTC()));
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

    OrderRequest tooBig = new OrderRequest(ClientOrderId.of("TCS-EQ-2"), TCS, OrderSide.BUY, OrderType.LIMIT, Quantity.of(10_000_001), null,
        Price.of("1"), TimeInForce.DAY);
    BrokerError rejected = error(get(broker.placeOrder(token, tooBig)));
    assertEquals(new BrokerError.Rejected("400 insufficient funds: order needs 10000001 INR, available 10000000.00"), rejected);
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
