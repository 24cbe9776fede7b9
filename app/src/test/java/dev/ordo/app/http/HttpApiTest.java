package dev.ordo.app.http;

import dev.ordo.engine.schedule.TaskScheduler;
import dev.ordo.persistence.JournalReader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.app.Engine;
import dev.ordo.app.EngineFixtureAccess;
import dev.ordo.engine.marketdata.ReplaySchedule;
import java.math.BigDecimal;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API on port 0, called with the JDK's HTTP client (and a raw socket for requests no client
 * sends), on an engine that replayed the bundled sample. Every answer is checked against its
 * documented type in {@code docs/http-api.schema.json}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiTest {

  Engine engine;
  Path dataDir;
  HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    this.dataDir = dataDir;
    // A short summary interval for malformed requests, so the test sees a summary soon
    Config config = ConfigFactory.parseString("ordo.http.malformed-request-log-interval = 500ms").withFallback(ConfigFactory.load());
    engine = EngineFixtureAccess.start(dataDir, config);
    engine.replayEnd().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  @AfterAll
  void stop() throws Exception {
    engine.close();
  }

  /** The admin token the engine generated into its data directory. */
  String token() throws Exception {
    return Files.readString(engine.apiTokenFile()).strip();
  }

  HttpResponse<String> get(String path) throws Exception {
    return send("GET", path);
  }

  HttpResponse<String> send(String method, String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + engine.httpAddress().getPort() + path);
    return client.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + token())
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Sends {@code request} as it is over a new connection and reads the whole answer (the server closes it). */
  String raw(String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", engine.httpAddress().getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  JsonNode json(HttpResponse<String> response) throws Exception {
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), response.headers().toString());
    return Json.mapper().readTree(response.body());
  }

  @Test
  void healthIsUp() throws Exception {
    HttpResponse<String> response = get("/health");
    assertEquals(200, response.statusCode());
    assertEquals("UP", json(response).get("status").asText());
  }

  @Test
  void statusShowsTheReplayAndInstruments() throws Exception {
    JsonNode status = json(get("/status"));
    assertEquals("FINISHED", status.at("/accounts/0/replay/state").asText());
    assertEquals("paper", status.at("/accounts/0/replay/account").asText());
    assertEquals(15, status.at("/accounts/0/replay/sessionsDone").asInt());
    assertEquals("2024-02-02T18:00:00+05:30", status.at("/accounts/0/replay/replayTime").asText(),
        "clock at the last day's evening task (eod-cleanup, 18:00), in the zone of the instruments' venue (NSE: IST)");
    ApiSchema.assertConforms("Status", status);
    assertEquals(4, status.get("instruments").size());
    assertEquals(1, status.get("accounts").size());
    JsonNode paper = status.at("/accounts/0");
    assertEquals("paper", paper.get("account").asText());
    assertEquals("RUNNING", paper.get("service").asText());
    assertEquals("engine", paper.get("changedBy").asText());
    assertTrue(paper.get("lastHeartbeat").asText().endsWith("+05:30"), paper.toString());
    assertTrue(paper.at("/auth/tokenIssuedAt").asText().endsWith("+05:30"), status.toString());
    assertEquals("ACTIVE", paper.at("/auth/state").asText());
    assertEquals(0, paper.at("/gateway/inFlight").asInt(), "nothing at the broker after the replay");
  }

  @Test
  void statusShowsTheTradingDaysTasksWithTheLastReplayedDaysRuns() throws Exception {
    JsonNode paper = json(get("/status")).at("/accounts/0");
    List<String> tasks = new ArrayList<>();
    paper.get("tasks").forEach(t -> tasks.add(t.get("task").asText() + "@" + t.get("at").asText()));
    assertEquals(List.of("pre-open-login@08:55", "reconcile@null", "market-open-exits@09:15", "eod-cleanup@18:00"), tasks);
    JsonNode login = paper.at("/tasks/0/lastRun");
    assertEquals("2024-02-02", login.get("day").asText());
    assertEquals("SCHEDULED", login.get("trigger").asText());
    assertEquals("SUCCEEDED", login.get("outcome").asText());
    assertEquals("2024-02-02T08:55:00+05:30", login.get("startedAt").asText(), "run at its time on the replay clock, before the day's first bar");
    JsonNode exits = paper.at("/tasks/2/lastRun");
    assertEquals("2024-02-02T09:15:00+05:30", exits.get("startedAt").asText(), "at the open, before the first bar is delivered");
    assertEquals("no experts: no position held overnight to sell", exits.get("detail").asText());
    JsonNode cleanup = paper.at("/tasks/3/lastRun");
    assertEquals("2024-02-02", cleanup.get("day").asText());
    assertEquals("2024-02-02T18:00:00+05:30", cleanup.get("startedAt").asText());
    assertEquals("0 DAY orders expired; no failed order records to remove (4 traders)", cleanup.get("detail").asText());
    assertTrue(paper.at("/tasks/1/lastRun").isNull(), "reconcile runs by hand only");
    assertEquals("2024-02-05T08:55:00+05:30", paper.get("nextTask").asText(), "Monday's login, after the weekend");
  }

  @Test
  void everyReplayedDayRanItsTasksOnceInTheJournal() throws Exception {
    List<JournalReader.Entry> entries = JournalReader.of(engine.system())
        .events(TaskScheduler.persistenceId(engine.account()).id()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    Map<String, List<String>> daysByTask = new java.util.TreeMap<>();
    for (JournalReader.Entry entry : entries)
      if (entry.event() instanceof TaskScheduler.TaskFinished finished) {
        assertEquals(TaskScheduler.Outcome.SUCCEEDED, finished.outcome(), finished.toString());
        daysByTask.computeIfAbsent(finished.task(), t -> new ArrayList<>()).add(finished.day().toString());
      }
    List<String> sessions = engine.schedule().sessions().stream().map(Object::toString).toList();
    assertEquals(15, sessions.size());
    assertEquals(sessions, daysByTask.get("pre-open-login"), "one login per replayed session, the Saturday session of 2024-01-20 too");
    assertEquals(sessions, daysByTask.get("eod-cleanup"), "one cleanup per session; none on the holidays of 2024-01-22 and 2024-01-26");
    assertEquals(sessions, daysByTask.get("market-open-exits"), "one market-open exit run per session");
    assertEquals(2 * entries.stream().filter(e -> e.event() instanceof TaskScheduler.TaskFinished).count(), entries.size(),
        "each run started and finished");
  }

  @Test
  void statusShowsTheReplaysBarDeliveryAsTheMarketDataFeed() throws Exception {
    JsonNode status = json(get("/status"));
    assertEquals("RUNNING", status.get("state").asText());
    JsonNode marketData = status.at("/accounts/0/marketData");
    List<String> fields = new ArrayList<>();
    marketData.fieldNames().forEachRemaining(fields::add);
    assertEquals(List.of("account", "state", "subscriptions", "eventsDelivered", "lastEventTime", "connects", "failures", "ticks"), fields);
    assertEquals("paper", marketData.get("account").asText());
    assertEquals("DISCONNECTED", marketData.get("state").asText(), "the replay feed ended");
    assertEquals(4, marketData.get("subscriptions").size());
    ReplaySchedule schedule = EngineFixtureAccess.sampleSchedule();
    assertEquals(schedule.barCount(), engine.schedule().barCount());
    long sessionEnds = schedule.steps().stream().mapToLong(step -> step.sessionEnds().size()).sum();
    assertEquals(2 * schedule.barCount() + sessionEnds, marketData.get("eventsDelivered").asLong(), "every BarOpen, BarClose and SessionEnd");
    assertEquals("2024-02-02T15:25:00+05:30", marketData.get("lastEventTime").asText(), "the open of the last bar");
    assertEquals(0, marketData.get("connects").asLong());
    assertEquals(0, marketData.get("ticks").asLong());
    assertTrue(status.at("/accounts/0/orderFeed").isNull());
  }

  @Test
  void tradesAreTheRoundTripsOfTheReplay() throws Exception {
    JsonNode trades = json(get("/accounts/paper/trades"));
    assertEquals(9, trades.size());
    JsonNode first = trades.get(0);
    assertEquals("BAJFINANCE-EQ.NSE", first.get("instrument").asText());
    assertEquals("2024-01-16T12:40:00+05:30", first.get("entryTime").asText());
    assertEquals("TRAIL", first.get("exitReason").asText());
    assertEquals("7457.7", first.get("entryPrice").asText());
    assertEquals("13", first.get("quantity").asText());
    assertEquals("27.95", first.at("/pnl/amount").asText());
    assertEquals("INR", first.at("/pnl/currency").asText());
    assertEquals("INR", first.get("currency").asText());
    ApiSchema.assertConforms("Trades", trades);
  }

  @Test
  void positionsAreFlatAfterTheReplayWithTheirRealizedPnl() throws Exception {
    JsonNode positions = json(get("/accounts/paper/positions"));
    assertEquals(4, positions.size());
    for (JsonNode p : positions) assertEquals("FLAT", p.get("status").asText());
    BigDecimal total = BigDecimal.ZERO;
    for (JsonNode p : positions) {
      assertEquals("INR", p.at("/realizedPnl/currency").asText());
      total = total.add(new BigDecimal(p.at("/realizedPnl/amount").asText()));
      assertEquals("0", p.get("quantity").asText());
      assertTrue(p.get("closedAt").asText().endsWith("+05:30"), p.toString());
    }
    assertEquals(new BigDecimal("554.55"), total);
    ApiSchema.assertConforms("Positions", positions);
  }

  @Test
  void ordersListTheTradersOrders() throws Exception {
    JsonNode orders = json(get("/accounts/paper/orders"));
    int entriesFilled = 0;
    int exitsFilled = 0;
    for (JsonNode order : orders) {
      String status = order.get("status").asText();
      assertTrue(status.equals("FILLED") || status.equals("CANCELED"), "nothing is left working after the replay: " + order);
      if (status.equals("FILLED") && order.get("role").asText().equals("ENTRY")) entriesFilled++;
      if (status.equals("FILLED") && order.get("side").asText().equals("SELL")) exitsFilled++;
    }
    assertEquals(9, entriesFilled, "one filled entry per trade of the sample");
    assertEquals(9, exitsFilled, "one filled stop or exit per trade");
    JsonNode first = orders.get(0);
    assertEquals("BAJFINANCE-EQ-1", first.get("clientOrderId").asText());
    assertEquals("2024-01-16T12:40:00+05:30", first.get("submittedAt").asText(), "the venue's offset, not UTC");
    assertEquals("7454.0", first.get("trigger").asText());
    ApiSchema.assertConforms("Orders", orders);
  }

  @Test
  void aSymbolAnswersItsTradersState() throws Exception {
    JsonNode byId = json(get("/accounts/paper/symbols/TCS-EQ.NSE"));
    assertEquals("TCS-EQ.NSE", byId.get("instrument").asText());
    assertEquals("2024-02-02T15:25:00+05:30", byId.get("lastBarApplied").asText());
    JsonNode bySymbol = json(get("/accounts/paper/symbols/TCS-EQ"));
    assertEquals(byId, bySymbol);
    assertEquals("80-20", byId.at("/strategy/strategy").asText());
    assertEquals("FLAT", byId.at("/position/status").asText());
    assertEquals("601.25", byId.at("/position/realizedPnl/amount").asText(), "TCS's two round trips: 851.25 - 250.0");
    assertEquals(2, byId.get("trades").size());
    ApiSchema.assertConforms("Symbol", byId);
  }

  /** The samples of a Prometheus text answer: {@code name{labels}} to value. */
  static Map<String, Double> samples(String text) {
    Map<String, Double> samples = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      int space = line.lastIndexOf(' ');
      samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return samples;
  }

  @Test
  void metricsAgreeWithTheReplayTheTradesAndTheOrders() throws Exception {
    HttpResponse<String> response = get("/metrics");
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), response.headers().toString());
    Map<String, Double> samples = samples(response.body());
    JsonNode status = json(get("/status"));
    assertEquals(status.at("/accounts/0/replay/barsDelivered").asDouble(), samples.get("ordo_replay_bars_total{account=\"paper\"}"));
    assertEquals(4500.0, samples.get("ordo_replay_bars_total{account=\"paper\"}"), "the sample's 4 instruments x 15 sessions x 75 bars");
    assertEquals(15.0, samples.get("ordo_replay_sessions_done{account=\"paper\"}"));
    int trades = json(get("/accounts/paper/trades")).size();
    assertEquals(2.0 * trades, samples.get("ordo_fills_total{account=\"paper\"}"), "an entry and an exit fill per round trip");
    assertEquals(json(get("/accounts/paper/orders")).size(), samples.get("ordo_orders_placed_total{account=\"paper\",source=\"strategy\"}"),
        "every order of the sample is still listed (fewer than 20 per trader)");
    assertEquals(554.55, samples.get("ordo_pnl_realized{account=\"paper\",currency=\"INR\"}"), 1e-9);
    assertEquals(0.0, samples.get("ordo_positions_open{account=\"paper\"}"));
    assertEquals(1.0, samples.get("ordo_broker_logins_total{account=\"paper\"}"));
    assertEquals(status.at("/accounts/0/gateway/started").asDouble(), samples.get("ordo_gateway_calls_started_total{account=\"paper\"}"));
    assertTrue(samples.get("ordo_gateway_calls_started_total{account=\"paper\"}") >= json(get("/accounts/paper/orders")).size(),
        "every order went through the gateway");
    for (String priority : List.of("CRITICAL", "NORMAL", "SCAN"))
      assertEquals(0.0, samples.get("ordo_gateway_queued{account=\"paper\",priority=\"" + priority + "\"}"), "nothing waits after the replay");
    assertTrue(samples.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes{")), "JVM figures");
    double placements = samples.get("ordo_broker_call_seconds_count{account=\"paper\",call=\"place_order\",outcome=\"ok\",priority=\"CRITICAL\"}");
    assertEquals(samples.get("ordo_orders_placed_total{account=\"paper\",source=\"strategy\"}"), placements,
        "every order was placed once, at CRITICAL, and timed");
    assertTrue(samples.keySet().stream().anyMatch(k -> k.startsWith("ordo_broker_call_seconds_bucket{") && k.contains("call=\"place_order\"")),
        "a latency histogram");
    assertTrue(samples.keySet().stream().noneMatch(k -> k.contains("clientOrderId") || k.contains("-EQ-")), "no order ids as labels");
  }

  /** The sum of the samples named {@code name} whose labels contain every one of {@code labels} (e.g. {@code priority="CRITICAL"}). */
  static double sum(Map<String, Double> samples, String name, String... labels) {
    return samples.entrySet().stream()
        .filter(e -> e.getKey().startsWith(name + "{") && java.util.Arrays.stream(labels).allMatch(l -> e.getKey().contains(l)))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  @Test
  void brokerCallsAreTimedByPriorityAndEachWaitedOnceInItsQueue() throws Exception {
    Map<String, Double> samples = samples(get("/metrics").body());
    JsonNode status = json(get("/status"));
    String calls = "ordo_broker_call_seconds_count";
    double started = status.at("/accounts/0/gateway/started").asDouble();
    assertTrue(started > 0, status.toString());
    assertEquals(started, sum(samples, calls, "account=\"paper\"") - sum(samples, calls, "account=\"paper\"", "priority=\"NONE\""),
        "every call the gateway started was answered and timed once, with its priority");
    assertEquals(started, sum(samples, calls, "priority=\"CRITICAL\""), "the replay's calls are all order calls of the symbol traders");
    for (String call : List.of("place_order", "modify_order", "cancel_order"))
      assertEquals(sum(samples, calls, "call=\"" + call + "\""), sum(samples, calls, "call=\"" + call + "\"", "priority=\"CRITICAL\""), call);
    assertEquals(samples.get("ordo_broker_logins_total{account=\"paper\"}"),
        samples.get(calls + "{account=\"paper\",call=\"login\",outcome=\"ok\",priority=\"NONE\"}"), "the session's login, outside the queue");
    for (String priority : List.of("CRITICAL", "NORMAL", "SCAN"))
      assertEquals(sum(samples, calls, "account=\"paper\"", "priority=\"" + priority + "\""),
          sum(samples, "ordo_gateway_queue_wait_seconds_count", "account=\"paper\"", "priority=\"" + priority + "\""),
          "each call of " + priority + " left its queue once");
    assertTrue(samples.keySet().stream().anyMatch(k -> k.startsWith("ordo_gateway_queue_wait_seconds_bucket{") && k.contains("priority=\"CRITICAL\"")),
        "a queue-wait histogram");
  }

  @Test
  void journalWritesCountEveryEventTheJournalHolds() throws Exception {
    JournalReader journal = JournalReader.of(engine.system());
    long before = eventsIn(journal);
    Map<String, Double> samples = samples(get("/metrics").body());
    assertEquals(before, eventsIn(journal), "nothing was written while the test read");
    assertTrue(before > 0, "the replay journaled its orders, fills and tasks");
    assertEquals((double) before, samples.get("ordo_journal_events_written_total"), "every event the fresh journal holds was counted once");
    double inserts = samples.get("ordo_journal_write_seconds_count{outcome=\"ok\"}");
    assertTrue(inserts >= 1 && inserts <= before, "one timed insert per batch of events: " + inserts);
    assertEquals(0.0, samples.get("ordo_journal_write_seconds_count{outcome=\"failed\"}"));
    assertTrue(samples.get("ordo_journal_write_seconds_sum{outcome=\"ok\"}") > 0);
  }

  @Test
  void theDataDirectorysDiskAndJournalFileAreMeasured() throws Exception {
    Path file = dataDir.resolve("journal.mv.db");
    long before = java.nio.file.Files.size(file);
    Map<String, Double> samples = samples(get("/metrics").body());
    long after = java.nio.file.Files.size(file);
    String path = dataDir.toAbsolutePath().normalize().toString();
    Double free = samples.get("disk_free_bytes{path=\"" + path + "\"}");
    Double total = samples.get("disk_total_bytes{path=\"" + path + "\"}");
    assertTrue(free != null && total != null && free > 0 && free <= total, "the data directory's disk: " + free + " of " + total);
    double journal = samples.get("ordo_journal_file_bytes");
    assertTrue(journal >= before && journal <= after && journal > 0, "the H2 journal's file (" + before + ".." + after + " bytes): " + journal);
  }

  static long eventsIn(JournalReader journal) throws Exception {
    long events = 0;
    for (String id : journal.persistenceIds().toCompletableFuture().get(30, TimeUnit.SECONDS))
      events += journal.events(id).toCompletableFuture().get(30, TimeUnit.SECONDS).size();
    return events;
  }

  @Test
  void theDefaultDispatchersPoolIsMeasured() throws Exception {
    Map<String, Double> samples = samples(get("/metrics").body());
    String pool = "{name=\"pekko.actor.default-dispatcher\"}";
    // Pekko sizes the pool as ceil(processors x factor), kept within [min, max]: this is that pool, not the JVM's common one
    Config forkJoin = engine.system().settings().config().getConfig("pekko.actor.default-dispatcher.fork-join-executor");
    double parallelism = Math.min(forkJoin.getInt("parallelism-max"), Math.max(forkJoin.getInt("parallelism-min"),
        (int) Math.ceil(Runtime.getRuntime().availableProcessors() * forkJoin.getDouble("parallelism-factor"))));
    assertEquals(parallelism, samples.get("executor_parallelism_threads" + pool),
        samples.keySet().stream().filter(k -> k.startsWith("executor")).toList().toString());
    double threads = samples.get("executor_pool_size_threads" + pool);
    assertTrue(threads >= 1 && threads <= parallelism + 1, "threads: " + threads);
    // Micrometer names the fork-join pool's active, running and queued figures without a unit
    assertTrue(samples.get("executor_active" + pool) <= threads);
    assertTrue(samples.get("executor_running" + pool) <= threads);
    assertTrue(samples.get("executor_queued" + pool) >= 0);
    assertTrue(samples.get("executor_steals_total" + pool) > 0, "a replay of 4500 bars moves tasks between the threads");
  }

  @Test
  void healthAndErrorsHaveTheirDocumentedShapes() throws Exception {
    ApiSchema.assertConforms("Health", json(get("/health")));
    ApiSchema.assertConforms("Error", json(get("/accounts/nobody/positions")));
  }

  @Test
  void theSchemaRefusesWhatTheApiMustNotAnswer() throws Exception {
    // the checks above could not fail if the schema accepted anything: these are the shapes of the old answers
    assertFalse(ApiSchema.violations("Trade", Json.mapper().readTree("""
        {"instrument":"TCS-EQ.NSE","currency":"INR","side":"BUY","quantity":"25","entryTime":"2024-01-17T09:20:00+05:30",
         "entryPrice":"3865.9","exitTime":"2024-01-17T10:00:00+05:30","exitPrice":"3899.95","exitReason":"TRAIL","pnl":851.25}""")).isEmpty(),
        "P&L as a bare number");
    assertFalse(ApiSchema.violations("Position", Json.mapper().readTree("""
        {"account":"paper","instrument":"TCS-EQ.NSE","currency":"INR","status":"FLAT","quantity":0,"averagePrice":null,
         "realizedPnl":{"amount":"601.25","currency":"INR"},"openedAt":null,"closedAt":null,"fills":4}""")).isEmpty(),
        "a quantity as a number");
    assertFalse(ApiSchema.violations("Time", Json.mapper().readTree("\"2024-01-17 09:20\"")).isEmpty(), "a time without offset");
    assertFalse(ApiSchema.violations("Health", Json.mapper().readTree("{\"status\":\"UP\",\"extra\":1}")).isEmpty(), "an undocumented field");
  }

  @Test
  void headWorksWhereGetDoesAndOptionsListsTheMethods() throws Exception {
    HttpResponse<String> head = send("HEAD", "/accounts/paper/trades");
    assertEquals(200, head.statusCode());
    assertEquals("", head.body());
    assertTrue(head.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));

    HttpResponse<String> options = send("OPTIONS", "/status");
    assertEquals(204, options.statusCode());
    assertEquals("GET, HEAD, OPTIONS", options.headers().firstValue("Allow").orElse(""));

    assertEquals(404, send("OPTIONS", "/nothing/here").statusCode(), "an unknown path is still unknown");
  }

  @Test
  void requestsRefusedByTheParserAnswerTheJsonErrorAndAreLoggedAsOneSummary() throws Exception {
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    List<ILoggingEvent> logged = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> threeCounted = new CompletableFuture<>();
    AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
      long counted;

      @Override
      protected void append(ILoggingEvent event) {
        logged.add(event);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+) malformed HTTP request").matcher(event.getFormattedMessage());
        if (m.find() && (counted += Long.parseLong(m.group(1))) >= 3) threeCounted.complete(null);
      }
    };
    appender.start();
    root.addAppender(appender);
    try {
      String longUri = raw("GET /" + "a".repeat(3000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
      assertTrue(longUri.startsWith("HTTP/1.1 414"), longUri);
      String bigHeader = raw("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(10_000) + "\r\n\r\n");
      assertTrue(bigHeader.startsWith("HTTP/1.1 431"), bigHeader);
      String tooLarge = raw("POST /status HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 70000\r\n\r\n"
          + "{\"x\":\"" + "c".repeat(69_990) + "\"}");
      assertTrue(tooLarge.startsWith("HTTP/1.1 413"), "a body over 64k is refused before routing: " + tooLarge.lines().findFirst().orElse(""));
      String garbage = raw("HELLO THERE\r\n\r\n");
      assertTrue(garbage.startsWith("HTTP/1.1 400") || garbage.startsWith("HTTP/1.1 501"), garbage);
      for (String answer : List.of(longUri, bigHeader, tooLarge, garbage)) {
        assertTrue(answer.contains("Content-Type: application/json"), answer);
        ApiSchema.assertConforms("Error", Json.mapper().readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)));
      }
      threeCounted.get(20, TimeUnit.SECONDS);
      List<String> warnings = logged.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
      assertTrue(warnings.stream().noneMatch(w -> w.contains("Illegal request")), "no WARN per request: " + warnings);
      assertTrue(warnings.stream().anyMatch(w -> w.contains("414")) && warnings.stream().anyMatch(w -> w.contains("431")), warnings.toString());
    } finally {
      root.detachAppender(appender);
    }
  }

  @Test
  void unknownAccountSymbolOrPathAnswer404WithAJsonError() throws Exception {
    HttpResponse<String> account = get("/accounts/nobody/positions");
    assertEquals(404, account.statusCode());
    assertEquals("unknown account", json(account).get("error").asText());

    HttpResponse<String> symbol = get("/accounts/paper/symbols/TCS");
    assertEquals(404, symbol.statusCode(), "a base symbol is not an instrument");
    assertEquals("unknown symbol", json(symbol).get("error").asText());

    HttpResponse<String> path = get("/nothing/here");
    assertEquals(404, path.statusCode());
    assertTrue(json(path).has("error"));
  }

  @Test
  void wrongMethodAnswers405WithAJsonError() throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + engine.httpAddress().getPort() + "/health");
    HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("{"))
        .header("Authorization", "Bearer " + token()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, response.statusCode());
    assertEquals("GET, HEAD, OPTIONS", response.headers().firstValue("Allow").orElse(""));
    ApiSchema.assertConforms("Error", json(response));
  }
}
