package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.broker.neo.NeoCredentials;
import dev.ordo.engine.broker.AuthSession;
import dev.ordo.engine.marketdata.MarketDataConnection;
import dev.ordo.persistence.JournalSettings;
import dev.ordo.sim.BrokerSimulator;
import dev.ordo.sim.SimFaults;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.commons.codec.binary.Base32;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A live session against the simulator, with tokens expiring every few seconds (so the engine logs
 * in again and again), logged at DEBUG: the credentials, the broker's session token and the API
 * token appear in no log line, no journaled event or snapshot, and no HTTP answer.
 */
class SecretsNeverLeakTest {

  static final String CONSUMER_KEY = "ck-leak-test-consumer-key-7f3a";
  static final String MOBILE = "+919876501234";
  static final String MPIN = "864209";
  static final String TOTP_SEED = new Base32().encodeToString("secrets never leak seed".getBytes(StandardCharsets.US_ASCII));
  static final NeoCredentials USER = new NeoCredentials(CONSUMER_KEY, MOBILE, "LEAK1", MPIN, TOTP_SEED);

  @TempDir
  Path dataDir;

  @Test
  void noCredentialOrTokenReachesALogLineAnEventOrAnAnswer() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level rootLevel = root.getLevel();
    List<String> logged = new CopyOnWriteArrayList<>();
    AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        String trace = event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy());
        logged.add(event.getLoggerName() + " " + event.getFormattedMessage() + " " + event.getMDCPropertyMap() + " " + trace);
      }
    };
    capture.start();
    // DEBUG lines are captured, not printed: the console appenders are set aside for the test
    List<Appender<ILoggingEvent>> consoles = new ArrayList<>();
    root.iteratorForAppenders().forEachRemaining(consoles::add);
    consoles.forEach(root::detachAppender);
    root.addAppender(capture);
    root.setLevel(Level.DEBUG);
    Config debug = ConfigFactory.parseString("pekko.loglevel = DEBUG").withFallback(ConfigFactory.load());
    ActorSystem<Void> simSystem = ActorSystem.create(Behaviors.empty(), "ordo-broker-sim",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(debug));
    List<String> answers = new ArrayList<>();
    List<String> tokens = new ArrayList<>();
    String apiToken;
    try {
      BrokerSimulator simulator = BrokerSimulator.start(simSystem, new BrokerSimulator.Settings("127.0.0.1", 0, EngineFixture.SAMPLE,
          LocalDate.of(2024, 1, 16), LocalDate.of(2024, 1, 18), 1500.0, USER,
          new SimFaults(Duration.ofSeconds(3), null, null, null, 0, null, 0, 5), new BigDecimal("100000000")), Clock.systemUTC())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      MarketDataConnection.StreamSettings stream = new MarketDataConnection.StreamSettings(Duration.ofSeconds(5), Duration.ofMillis(100),
          Duration.ofSeconds(1), 0.2, Duration.ofSeconds(2), Duration.ofMinutes(1));
      LiveEngine engine = LiveEngine.start(new LiveEngine.Settings(simulator.baseUrl(), simulator.marketDataUrl(), USER, Set.of(), dataDir,
          "127.0.0.1", 0, Duration.ofSeconds(2), stream, Duration.ofSeconds(2), 5, true), debug);
      apiToken = Files.readString(engine.apiTokenFile()).strip();
      TestProbe<Void> waiting = TestProbe.create(simSystem);
      try {
        // the engine trades while its broker tokens expire; every second token it holds is noted
        waiting.awaitAssert(Duration.ofSeconds(120), Duration.ofSeconds(1), () -> {
          tokens.add(currentToken(engine));
          assertTrue(simulator.stats().fills() > 0 && engine.parts() != null && logins(engine) >= 3, "traded, and logged in again");
          return null;
        });
        HttpClient client = HttpClient.newHttpClient();
        for (String path : List.of("/health", "/status", "/accounts/LEAK1/positions", "/accounts/LEAK1/orders", "/accounts/LEAK1/trades",
            "/accounts/LEAK1/symbols/TCS-EQ.NSE", "/nothing", "/accounts/other/positions")) {
          HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + engine.httpAddress().getPort() + path))
              .header("Authorization", "Bearer " + apiToken).build(), HttpResponse.BodyHandlers.ofString());
          answers.add(path + " " + response.statusCode() + " " + response.headers().map() + " " + response.body());
        }
        assertTrue(answers.get(1).contains("\"auth\":{\"account\":\"LEAK1\""), "the status shows the broker session: " + answers.get(1));
      } finally {
        engine.close();
      }
    } finally {
      simSystem.terminate();
      simSystem.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      root.setLevel(rootLevel);
      root.detachAppender(capture);
      consoles.forEach(root::addAppender);
    }
    List<String> stored = journal();
    assertTrue(stored.size() > 10 && logged.size() > 100, stored.size() + " events, " + logged.size() + " log lines");
    List<String> secrets = new ArrayList<>(List.of(CONSUMER_KEY, MOBILE, MPIN, TOTP_SEED, apiToken));
    tokens.stream().distinct().forEach(secrets::add);
    assertTrue(tokens.stream().distinct().count() >= 2, "several broker tokens were issued: " + tokens.stream().distinct().count());
    for (String secret : secrets) {
      for (List<String> where : List.of(logged, stored, answers)) {
        List<String> leaks = where.stream().filter(text -> text.contains(secret)).limit(3).toList();
        assertEquals(List.of(), leaks, "a secret (" + secret.length() + " characters) leaked");
      }
    }
  }

  static String currentToken(LiveEngine engine) throws Exception {
    AuthSession.TokenReply reply = AskPattern.<AuthSession.Command, AuthSession.TokenReply>ask(engine.parts().authSession(),
        AuthSession.GetToken::new, Duration.ofSeconds(10), engine.system().scheduler()).toCompletableFuture().get(15, TimeUnit.SECONDS);
    return reply instanceof AuthSession.Granted granted ? granted.token().value() : "";
  }

  static int logins(LiveEngine engine) throws Exception {
    return AskPattern.<AuthSession.Command, AuthSession.Status>ask(engine.parts().authSession(), AuthSession.GetStatus::new,
        Duration.ofSeconds(10), engine.system().scheduler()).toCompletableFuture().get(15, TimeUnit.SECONDS).logins();
  }

  /** Every journaled event and snapshot payload as text (gunzipped when Pekko compressed it). */
  List<String> journal() throws Exception {
    List<String> payloads = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(JournalSettings.h2Url(dataDir), "sa", "")) {
      for (String query : List.of("SELECT \"persistence_id\", \"event_payload\" FROM \"event_journal\"",
          "SELECT \"persistence_id\", \"snapshot_payload\" FROM \"snapshot\"")) {
        try (ResultSet rows = connection.createStatement().executeQuery(query)) {
          while (rows.next()) payloads.add(rows.getString(1) + " " + text(rows.getBytes(2)));
        }
      }
    }
    return payloads;
  }

  static String text(byte[] payload) throws Exception {
    if (payload.length > 2 && (payload[0] & 0xff) == 0x1f && (payload[1] & 0xff) == 0x8b)
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(payload))) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    return new String(payload, StandardCharsets.UTF_8);
  }
}
