package dev.ordo.broker.neo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ordo.engine.model.ClientOrderId;
import dev.ordo.engine.model.Fill;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.model.InstrumentId;
import dev.ordo.engine.model.Price;
import dev.ordo.engine.model.Quantity;
import dev.ordo.engine.model.TradeId;
import dev.ordo.engine.model.VenueOrderId;
import dev.ordo.engine.port.AccountLimits;
import dev.ordo.engine.port.Broker;
import dev.ordo.engine.port.BrokerError;
import dev.ordo.engine.port.BrokerResult;
import dev.ordo.engine.port.Credentials;
import dev.ordo.engine.port.OrderReport;
import dev.ordo.engine.port.OrderRequest;
import dev.ordo.engine.port.OrderUpdateListener;
import dev.ordo.engine.port.PositionReport;
import dev.ordo.engine.port.SessionToken;
import dev.ordo.engine.venue.Product;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.FormData;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;

/**
 * The {@link Broker} port over the Kotak Neo trade API shape ({@code shared/specs/kotak-neo-api.md}),
 * with Pekko HTTP's client. Wire types stay in this package.
 *
 * <ul>
 *   <li>{@link #login}: {@code POST /login/1.0/tradeApiLogin} (consumer key, mobile number, UCC,
 *       TOTP), then {@code /login/1.0/tradeApiValidate} (MPIN) answers the trade token, sid and the
 *       base URL of later calls; the scrip master (token to trading symbol) is loaded once.
 *   <li>Calls send headers {@code Sid}, {@code Auth}, query {@code sId}, and bodies
 *       {@code jData=<URL-encoded JSON>}. The order's ClientOrderId travels in the tag {@code ig}.
 *   <li>Outcomes: HTTP 401 (code 900901) is {@link BrokerError.AuthExpired}; 429
 *       {@link BrokerError.RateLimited}; 5xx and refused connections {@link BrokerError.Unavailable};
 *       other 4xx or {@code stat: Not_Ok} {@link BrokerError.Rejected}; no answer within
 *       {@code callTimeout} (or a connection lost after sending) {@link BrokerError.Timeout}.
 * </ul>
 */
public final class NeoBroker implements Broker {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param loginUrl    where the login calls go ({@code https://...} for the real service)
   * @param callTimeout a call without answer by then is {@link BrokerError.Timeout}
   * @param clock       wall clock for TOTP codes and token issue times
   */
  public record Settings(String loginUrl, Duration callTimeout, Clock clock) {}

  private record Session(String baseUrl, String serverId) {}

  private final ActorSystem<?> system;
  private final Settings settings;
  private final Materializer materializer;
  private final ConnectionPoolSettings pool;
  private volatile Session session;
  private volatile ScripMaster master;
  private volatile String consumerKey = "";

  public NeoBroker(ActorSystem<?> system, Settings settings) {
    this.system = system;
    this.settings = settings;
    this.materializer = Materializer.matFromSystem(system);
    this.pool = ConnectionPoolSettings.create(system.classicSystem()).withMaxConnections(16).withMaxOpenRequests(256).withMaxRetries(0)
        .withConnectionSettings(ClientConnectionSettings.create(system.classicSystem())
            .withConnectingTimeout(Duration.ofSeconds(5)).withIdleTimeout(Duration.ofSeconds(30)));
  }

  /** The instrument master loaded at login, or null before the first login. */
  public ScripMaster scripMaster() {
    return master;
  }

  // ------------------------------------------------------------------ login

  @Override
  public CompletionStage<BrokerResult<SessionToken>> login(Credentials credentials) {
    NeoCredentials user;
    try {
      user = NeoCredentials.from(credentials);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(BrokerResult.error(new BrokerError.Rejected(e.getMessage())));
    }
    consumerKey = user.consumerKey();
    Map<String, Object> step1 = Map.of("mobileNumber", user.mobileNumber(), "ucc", user.ucc(), "totp", Totp.code(user.totpSeed(),
        settings.clock().instant()));
    HttpRequest first = HttpRequest.POST(settings.loginUrl() + "/login/1.0/tradeApiLogin")
        .addHeader(RawHeader.create("Authorization", user.consumerKey()))
        .addHeader(RawHeader.create("neo-fin-key", "neotradeapi"))
        .withEntity(ContentTypes.APPLICATION_JSON, write(step1));
    return send(first, false, body -> body).thenCompose(result -> {
      if (!(result instanceof BrokerResult.Ok<JsonNode> ok)) return CompletableFuture.completedFuture(refused(result));
      String viewToken = ok.value().path("data").path("token").asText("");
      String sid = ok.value().path("data").path("sid").asText("");
      HttpRequest second = HttpRequest.POST(settings.loginUrl() + "/login/1.0/tradeApiValidate")
          .addHeader(RawHeader.create("Authorization", user.consumerKey()))
          .addHeader(RawHeader.create("neo-fin-key", "neotradeapi"))
          .addHeader(RawHeader.create("sid", sid))
          .addHeader(RawHeader.create("Auth", viewToken))
          .withEntity(ContentTypes.APPLICATION_JSON, write(Map.of("mpin", user.mpin())));
      return send(second, false, body -> body).thenCompose(validated -> {
        if (!(validated instanceof BrokerResult.Ok<JsonNode> v)) return CompletableFuture.completedFuture(refused(validated));
        JsonNode data = v.value().path("data");
        String baseUrl = data.path("baseUrl").asText(settings.loginUrl());
        session = new Session(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl, data.path("hsServerId").asText(""));
        SessionToken token = new SessionToken(data.path("token").asText(), data.path("sid").asText(sid), settings.clock().instant());
        if (master != null) return CompletableFuture.completedFuture(BrokerResult.ok(token));
        return loadScripMaster(token, SCRIP_MASTER_ATTEMPTS).thenApply(loaded -> loaded.map(m -> token));
      });
    });
  }

  /** A failed login step: a 401 there means wrong credentials, not an expired session. */
  private static BrokerResult<SessionToken> refused(BrokerResult<JsonNode> failed) {
    BrokerError error = ((BrokerResult.Err<JsonNode>) failed).error();
    if (error instanceof BrokerError.AuthExpired) return BrokerResult.error(new BrokerError.Rejected("login refused: " + error.detail()));
    return BrokerResult.error(error);
  }

  /** Tries of the scrip master's download after a login, the token being good: a transient failure costs no second login. */
  static final int SCRIP_MASTER_ATTEMPTS = 3;

  /**
   * The scrip master with {@code token}, tried again (after 250 ms, then 500 ms) when the broker answers 429, 5xx or not in time: a
   * login whose session is good is not thrown away (and done again) for a download that failed once.
   */
  private CompletionStage<BrokerResult<ScripMaster>> loadScripMaster(SessionToken token, int attemptsLeft) {
    return loadScripMasterOnce(token).thenCompose(result -> {
      boolean transientFailure = result instanceof BrokerResult.Err<ScripMaster> err && (err.error() instanceof BrokerError.Unavailable
          || err.error() instanceof BrokerError.RateLimited || err.error() instanceof BrokerError.Timeout);
      if (!transientFailure || attemptsLeft <= 1) return CompletableFuture.completedFuture(result);
      Duration pause = Duration.ofMillis(250L << (SCRIP_MASTER_ATTEMPTS - attemptsLeft));
      return org.apache.pekko.pattern.Patterns.after(pause, system.classicSystem().scheduler(), system.executionContext(),
          () -> loadScripMaster(token, attemptsLeft - 1));
    });
  }

  private CompletionStage<BrokerResult<ScripMaster>> loadScripMasterOnce(SessionToken token) {
    return get(token, "/script-details/1.0/masterscrip/file-paths", body -> body.path("data").path("filesPaths").get(0).asText())
        .thenCompose(path -> {
          if (!(path instanceof BrokerResult.Ok<String> ok)) return CompletableFuture.completedFuture(path.map(x -> (ScripMaster) null));
          return Http.get(system).singleRequest(HttpRequest.GET(ok.value()), Http.get(system).defaultClientHttpsContext(), pool,
                  system.classicSystem().log())
              .thenCompose(response -> response.entity().toStrict(settings.callTimeout().toMillis(), materializer))
              .thenApply(entity -> {
                try {
                  ScripMaster loaded = ScripMaster.parse(entity.getData().utf8String());
                  master = loaded;
                  return BrokerResult.ok(loaded);
                } catch (IllegalArgumentException e) {
                  return BrokerResult.<ScripMaster>error(new BrokerError.Rejected("scrip master: " + e.getMessage()));
                }
              })
              .exceptionally(failure -> BrokerResult.error(new BrokerError.Unavailable("scrip master: " + failure.getMessage())));
        });
  }

  // ------------------------------------------------------------------ orders

  @Override
  public CompletionStage<BrokerResult<VenueOrderId>> placeOrder(SessionToken token, OrderRequest request) {
    Map<String, Object> order = new LinkedHashMap<>();
    order.put("am", "NO");
    order.put("dq", "0");
    order.put("es", NeoWire.segment(request.instrumentId()));
    order.put("mp", "0");
    order.put("pc", NeoWire.product(Product.MIS));
    order.put("pf", "N");
    order.put("pr", request.limit() == null ? "0" : request.limit().toString());
    order.put("pt", NeoWire.orderType(request.type()));
    order.put("qt", request.quantity().toString());
    order.put("rt", NeoWire.validity(request.timeInForce()));
    order.put("tp", request.trigger() == null ? "0" : request.trigger().toString());
    order.put("ts", request.instrumentId().symbol());
    order.put("tt", NeoWire.side(request.side()));
    order.put("ig", request.clientOrderId().value());
    order.put("os", "NEOTRADEAPI");
    return post(token, "/quick/order/rule/ms/place", order, true, body -> VenueOrderId.of(body.path("nOrdNo").asText()));
  }

  @Override
  public CompletionStage<BrokerResult<VenueOrderId>> modifyOrder(SessionToken token, VenueOrderId order, Price trigger, Price limit) {
    Map<String, Object> change = new LinkedHashMap<>();
    change.put("no", order.value());
    change.put("am", "NO");
    change.put("vd", "DAY");
    change.put("dd", "NA");
    change.put("fq", "0");
    if (trigger != null) change.put("tp", trigger.toString());
    if (limit != null) change.put("pr", limit.toString());
    return post(token, "/quick/order/vr/modify", change, true, body -> order);
  }

  @Override
  public CompletionStage<BrokerResult<VenueOrderId>> cancelOrder(SessionToken token, VenueOrderId order) {
    return post(token, "/quick/order/cancel", Map.of("on", order.value(), "am", "NO"), true, body -> order);
  }

  @Override
  public CompletionStage<BrokerResult<List<OrderReport>>> orderBook(SessionToken token) {
    return get(token, "/quick/user/orders", body -> {
      List<OrderReport> reports = new ArrayList<>();
      for (JsonNode row : body.path("data")) reports.add(orderReport(row));
      return reports;
    });
  }

  @Override
  public CompletionStage<BrokerResult<List<Fill>>> trades(SessionToken token) {
    return get(token, "/quick/user/trades", body -> {
      List<Fill> fills = new ArrayList<>();
      for (JsonNode row : body.path("data")) {
        fills.add(new Fill(TradeId.of(row.path("flId").asText()), clientOrderId(row), VenueOrderId.of(row.path("nOrdNo").asText()),
            instrument(row), NeoWire.side(row.path("trnsTp").asText()), Quantity.of(row.path("fldQty").asText()),
            Price.of(row.path("avgPrc").asText()), OffsetDateTime.parse(row.path("flDtTm").asText())));
      }
      return fills;
    });
  }

  @Override
  public CompletionStage<BrokerResult<List<PositionReport>>> positions(SessionToken token) {
    return get(token, "/quick/user/positions", body -> {
      List<PositionReport> positions = new ArrayList<>();
      for (JsonNode row : body.path("data")) {
        BigDecimal buy = decimal(row, "flBuyQty").add(decimal(row, "cfBuyQty"));
        BigDecimal sell = decimal(row, "flSellQty").add(decimal(row, "cfSellQty"));
        positions.add(new PositionReport(instrument(row), buy, sell, decimal(row, "buyAmt").add(decimal(row, "cfBuyAmt")),
            decimal(row, "sellAmt").add(decimal(row, "cfSellAmt")), buy.subtract(sell)));
      }
      return positions;
    });
  }

  @Override
  public CompletionStage<BrokerResult<AccountLimits>> limits(SessionToken token) {
    return post(token, "/quick/user/limits", Map.of("seg", "ALL", "exch", "ALL", "prod", "ALL"), false,
        body -> new AccountLimits(Map.of("INR", decimal(body, "Net")), Map.of("INR", decimal(body, "MarginUsed"))));
  }

  /**
   * Not used by this adapter: the order-book rows Kotak Neo pushes carry no trade id, so fills reach
   * the engine through the reconciler, which reads the trade book when the order feed reports a
   * change ({@link NeoOrderFeed}). A listener registered here is never called.
   */
  @Override
  public void subscribeOrderUpdates(OrderUpdateListener listener) {}

  private OrderReport orderReport(JsonNode row) {
    Quantity filled = Quantity.of(row.path("fldQty").asText("0"));
    BigDecimal average = decimal(row, "avgPrc");
    BigDecimal trigger = decimal(row, "trgPrc");
    BigDecimal price = decimal(row, "prc");
    Instant accepted = null;
    try {
      accepted = Instant.parse(row.path("ordDtTm").asText());
    } catch (RuntimeException ignored) {
      // The live service writes dd-MMM-yyyy times; the time is informative only.
    }
    return new OrderReport(clientOrderId(row), VenueOrderId.of(row.path("nOrdNo").asText()), instrument(row),
        NeoWire.side(row.path("trnsTp").asText()), NeoWire.orderType(row.path("prcTp").asText()), Quantity.of(row.path("qty").asText()), filled,
        average.signum() == 0 ? null : Price.of(average), trigger.signum() == 0 ? null : Price.of(trigger),
        price.signum() == 0 ? null : Price.of(price), NeoWire.status(row.path("ordSt").asText(), filled.isPositive()),
        row.path("rejRsn").asText(""), accepted);
  }

  private static ClientOrderId clientOrderId(JsonNode row) {
    String tag = row.path("ig").asText("");
    return ClientOrderId.of(tag.isBlank() ? "untagged-" + row.path("nOrdNo").asText() : tag);
  }

  private InstrumentId instrument(JsonNode row) {
    InstrumentId id = new InstrumentId(row.path("trdSym").asText(), NeoWire.venue(row.path("exSeg").asText("nse_cm")));
    ScripMaster known = master;
    if (known != null) return known.byId(id).map(Instrument::id).orElse(id);
    return id;
  }

  private static BigDecimal decimal(JsonNode row, String field) {
    String text = row.path(field).asText("0");
    return text.isBlank() ? BigDecimal.ZERO : new BigDecimal(text);
  }

  // ------------------------------------------------------------------ transport

  private <T> CompletionStage<BrokerResult<T>> get(SessionToken token, String path, Function<JsonNode, T> parse) {
    Session s = session;
    if (s == null) return CompletableFuture.completedFuture(BrokerResult.error(new BrokerError.AuthExpired("not logged in")));
    return send(withSession(HttpRequest.GET(s.baseUrl() + path + "?sId=" + s.serverId()), token), false, parse);
  }

  private <T> CompletionStage<BrokerResult<T>> post(SessionToken token, String path, Map<String, Object> jData, boolean mutating,
      Function<JsonNode, T> parse) {
    Session s = session;
    if (s == null) return CompletableFuture.completedFuture(BrokerResult.error(new BrokerError.AuthExpired("not logged in")));
    HttpRequest request = HttpRequest.POST(s.baseUrl() + path + "?sId=" + s.serverId())
        .withEntity(FormData.create(List.of(Pair.create("jData", write(jData)))).toEntity());
    return send(withSession(request, token), mutating, parse);
  }

  private HttpRequest withSession(HttpRequest request, SessionToken token) {
    return request.addHeader(RawHeader.create("Sid", token.sid()))
        .addHeader(RawHeader.create("Auth", token.value()))
        .addHeader(RawHeader.create("neo-fin-key", "neotradeapi"))
        .addHeader(RawHeader.create("Authorization", consumerKey));
  }

  /**
   * Sends one request and interprets the answer. {@code mutating}: a failure after the request may
   * have been sent is {@link BrokerError.Timeout} (outcome unknown), not {@link BrokerError.Unavailable}.
   */
  private <T> CompletionStage<BrokerResult<T>> send(HttpRequest request, boolean mutating, Function<JsonNode, T> parse) {
    return Http.get(system).singleRequest(request, Http.get(system).defaultClientHttpsContext(), pool, system.classicSystem().log())
        .thenCompose(response -> response.entity().toStrict(settings.callTimeout().toMillis(), materializer)
            .thenApply(entity -> interpret(response, entity.getData().utf8String(), parse)))
        .toCompletableFuture()
        .orTimeout(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(failure -> {
          Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
          if (cause instanceof TimeoutException)
            return BrokerResult.error(new BrokerError.Timeout("no answer within " + settings.callTimeout().toMillis() + " ms"));
          if (isConnectFailure(cause)) return BrokerResult.error(new BrokerError.Unavailable("cannot connect: " + cause.getMessage()));
          String detail = cause.getClass().getSimpleName() + ": " + cause.getMessage();
          return BrokerResult.error(mutating ? new BrokerError.Timeout("connection lost: " + detail) : new BrokerError.Unavailable(detail));
        });
  }

  private static boolean isConnectFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException) return true;
      String message = String.valueOf(c.getMessage());
      if (message.contains("Connection refused") || message.contains("Tcp command [Connect(")) return true;
    }
    return false;
  }

  private static <T> BrokerResult<T> interpret(HttpResponse response, String body, Function<JsonNode, T> parse) {
    int status = response.status().intValue();
    JsonNode json;
    try {
      json = body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    } catch (Exception e) {
      json = JSON.createObjectNode();
    }
    if (status == 401 || status == 403 || NeoWire.INVALID_CREDENTIALS.equals(json.path("code").asText()))
      return BrokerResult.error(new BrokerError.AuthExpired(String.join(" ", java.util.stream.Stream.of(Integer.toString(status),
          json.path("code").asText(""), message(json)).filter(part -> !part.isBlank()).toList())));
    if (status == 429) return BrokerResult.error(new BrokerError.RateLimited("429 " + message(json)));
    if (status >= 500) return BrokerResult.error(new BrokerError.Unavailable(status + " " + message(json)));
    if (status >= 400 || "Not_Ok".equals(json.path("stat").asText()))
      return BrokerResult.error(new BrokerError.Rejected(status + " " + message(json)));
    try {
      return BrokerResult.ok(parse.apply(json));
    } catch (RuntimeException e) {
      return BrokerResult.error(new BrokerError.Rejected("unreadable answer: " + e.getMessage()));
    }
  }

  private static String message(JsonNode json) {
    for (String field : List.of("emsg", "message", "errMsg")) if (json.hasNonNull(field)) return json.get(field).asText();
    return "";
  }

  private static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where the login calls go, for logs (no secret). */
  @Override
  public String toString() {
    return "NeoBroker[" + settings.loginUrl() + "]";
  }

}
