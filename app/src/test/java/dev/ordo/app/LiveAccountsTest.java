package dev.ordo.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.broker.neo.NeoCredentials;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.trading.OrderRecord;
import dev.ordo.engine.trading.Position;
import dev.ordo.sim.BrokerSimulator;
import dev.ordo.sim.SimFaults;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.binary.Base32;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two neo accounts of {@code ordo.accounts} in one process, each on its own Kotak-Neo-shaped broker (a simulator each), with
 * its own credentials file, instruments, session and trading day: each logs in once at its own broker, trades only its own
 * instruments there, and its positions apply exactly its broker's fills.
 */
class LiveAccountsTest {

  @TempDir
  Path dir;

  static NeoCredentials user(String ucc) {
    return new NeoCredentials("ck-" + ucc, "+91111111111" + ucc.length(), ucc, "1357",
        new Base32().encodeToString(("seed of " + ucc).getBytes(StandardCharsets.US_ASCII)));
  }

  Path credentialsFile(NeoCredentials user) throws Exception {
    Path file = dir.resolve(user.ucc() + ".properties");
    Files.writeString(file, "consumer-key=" + user.consumerKey() + "\nmobile=" + user.mobileNumber() + "\nucc=" + user.ucc() + "\nmpin="
        + user.mpin() + "\ntotp-seed=" + user.totpSeed() + "\n");
    return file;
  }

  @Test
  void twoNeoAccountsTradeSideBySideEachAtItsOwnBroker() throws Exception {
    ActorSystem<Void> simSystem = ActorSystem.create(Behaviors.empty(), "ordo-broker-sim",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    NeoCredentials first = user("DESKA");
    NeoCredentials second = user("DESKB2");
    List<BrokerSimulator> sims = new ArrayList<>();
    for (NeoCredentials user : List.of(first, second))
      sims.add(BrokerSimulator.start(simSystem, new BrokerSimulator.Settings("127.0.0.1", 0, EngineFixture.SAMPLE, LocalDate.of(2024, 1, 15),
          LocalDate.of(2024, 1, 18), 3000.0, user, SimFaults.none(), new BigDecimal("100000000")), Clock.systemUTC())
          .toCompletableFuture().get(30, TimeUnit.SECONDS));
    Config config = ConfigFactory.parseString("ordo.accounts {\n"
        + "  paper = null\n"
        + "  desk-a { broker = neo, url = \"" + sims.get(0).baseUrl() + "\", market-data-url = \"" + sims.get(0).marketDataUrl() + "\",\n"
        + "    credentials-file = \"" + credentialsFile(first) + "\", instruments = [BAJFINANCE-EQ.NSE, DALBHARAT-EQ.NSE] }\n"
        + "  desk-b { broker = neo, url = \"" + sims.get(1).baseUrl() + "\", market-data-url = \"" + sims.get(1).marketDataUrl() + "\",\n"
        + "    credentials-file = \"" + credentialsFile(second) + "\", instruments = [KOTAKBANK-EQ.NSE, TCS-EQ.NSE],\n"
        + "    strategy { capital-per-trade = 50000 } }\n"
        + "}").withFallback(ConfigFactory.load()).resolve();
    AccountsConfig.Accounts accounts = AccountsConfig.readAll(config);
    assertEquals(List.of(), accounts.paper());
    List<LiveEngine.Account> live = new ArrayList<>();
    for (AccountsConfig.LiveAccount account : accounts.live()) live.add(LiveEngine.account(account, Map.of()));
    LiveEngine engine = LiveEngine.start(live, new LiveEngine.Shared(dir.resolve("state"), "127.0.0.1", 0,
        dev.ordo.engine.marketdata.MarketDataConnection.StreamSettings.defaults(), Duration.ofSeconds(5), 5), config);
    TestProbe<Void> waiting = TestProbe.create(simSystem);
    try {
      assertEquals(List.of(AccountId.of("desk-a"), AccountId.of("desk-b")), engine.accounts());
      var status = engine.queries().status().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(List.of("BAJFINANCE-EQ.NSE", "DALBHARAT-EQ.NSE"), status.accounts().get(0).instruments().stream().map(Object::toString).toList());
      assertEquals(List.of("KOTAKBANK-EQ.NSE", "TCS-EQ.NSE"), status.accounts().get(1).instruments().stream().map(Object::toString).toList());
      for (BrokerSimulator sim : sims) LiveEngineSimulatorTest.awaitMarketDone(waiting, sim);
      for (BrokerSimulator sim : sims) sim.pauseMarket().toCompletableFuture().get(10, TimeUnit.SECONDS);
      long fills = 0;
      for (int i = 0; i < 2; i++) {
        BrokerSimulator sim = sims.get(i);
        AccountId account = engine.accounts().get(i);
        assertEquals(1, sim.stats().logins(), "one login of " + account + " at its own broker");
        long brokerFills = sim.stats().fills();
        fills += brokerFills;
        waiting.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(200), () -> {
          long applied = engine.queries().positionStates(account).toCompletableFuture().get(10, TimeUnit.SECONDS).stream()
              .mapToLong(Position.State::fills).sum();
          assertEquals(brokerFills, applied, account + " applies its own broker's fills, each once");
          return null;
        });
        Set<String> instruments = new TreeSet<>();
        for (OrderRecord order : engine.queries().orders(account).toCompletableFuture().get(10, TimeUnit.SECONDS))
          instruments.add(order.instrumentId().symbol());
        assertTrue(status.accounts().get(i).instruments().stream().map(id -> id.symbol()).toList().containsAll(instruments),
            account + " ordered only its own instruments: " + instruments);
        assertEquals(sim.stats().ordersPlaced(), engine.queries().orders(account).toCompletableFuture().get(10, TimeUnit.SECONDS).size(),
            "every order of " + account + " reached its own broker, once");
      }
      assertTrue(fills > 0, "the accounts traded");
    } finally {
      engine.close();
      for (BrokerSimulator sim : sims) sim.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
      simSystem.terminate();
    }
  }

  @Test
  void mixingPaperAndNeoAccountsOrTwoOnTheEnvironmentIsRefusedNamingTheKey() {
    Config mixed = ConfigFactory.parseString("ordo.accounts.desk { broker = neo, url = \"http://127.0.0.1:1\" }").withFallback(ConfigFactory.load());
    assertEquals("ordo.accounts.desk.broker: a neo account, and this process replays paper accounts: neo accounts run in a process of their"
        + " own (drop the paper ones, e.g. paper = null; docs/accounts.md)", assertThrows(IllegalArgumentException.class,
        () -> AccountsConfig.read(mixed)).getMessage());
    Config twoOnEnv = ConfigFactory.parseString("ordo.accounts { paper = null, a { broker = neo, url = \"http://h:1\" },"
        + " b { broker = neo, url = \"http://h:2\" } }").withFallback(ConfigFactory.load());
    assertEquals("ordo.accounts: [a, b] all take their credentials from the ORDO_NEO_* environment variables: give each but one a"
        + " credentials-file", assertThrows(IllegalArgumentException.class, () -> AccountsConfig.readAll(twoOnEnv)).getMessage());
    Config noUrl = ConfigFactory.parseString("ordo.accounts { paper = null, a { broker = neo } }").withFallback(ConfigFactory.load());
    assertEquals("ordo.accounts.a.url: required: the broker's base URL, e.g. http://127.0.0.1:8090",
        assertThrows(IllegalArgumentException.class, () -> AccountsConfig.readAll(noUrl)).getMessage());
    Config paperKey = ConfigFactory.parseString("ordo.accounts { paper = null, a { broker = neo, url = \"http://h:1\", data = x } }")
        .withFallback(ConfigFactory.load());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> AccountsConfig.readAll(paperKey)).getMessage()
        .startsWith("ordo.accounts.a.data: not a setting of a neo account; its settings are [broker, url,"));
    Config badUrl = ConfigFactory.parseString("ordo.accounts { paper = null, a { broker = neo, url = \"ftp://h\" } }")
        .withFallback(ConfigFactory.load());
    assertEquals("ordo.accounts.a.url: not an http(s) or ws(s) URL with a host: 'ftp://h'",
        assertThrows(IllegalArgumentException.class, () -> AccountsConfig.readAll(badUrl)).getMessage());
  }
}
