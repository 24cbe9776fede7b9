package dev.ordo.engine.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.TestBars;
import dev.ordo.engine.broker.FakeBroker;
import dev.ordo.engine.model.AccountId;
import dev.ordo.engine.model.Instrument;
import dev.ordo.engine.port.Credentials;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The manager of one account's service ({@link ServiceManager#forAccount}), the one a cluster runs once per account: it starts the
 * service by itself, answers the account's instruments once its lifecycle knows them (how other nodes learn them), journals each
 * start, failure and hand-over, and stops after a hand-over once the service stopped. Its questions are serializable (they come
 * from other nodes): serialize-messages is on.
 */
class ServiceManagerTest {

  static final ActorTestKit testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance().config()
      .withFallback(PersistenceTestKitSnapshotPlugin.config())
      .withFallback(ConfigFactory.parseString("""
          pekko.actor.provider = cluster
          pekko.remote.artery.canonical.hostname = 127.0.0.1
          pekko.remote.artery.canonical.port = 0
          pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
          pekko.actor.serialize-messages = on
          """))
      .withFallback(ConfigFactory.load()));
  static final Instant NOW = Instant.parse("2024-01-02T03:30:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final Instrument INSTRUMENT = new Instrument(TestBars.INSTRUMENT, new BigDecimal("0.05"), BigDecimal.ONE, "INR", "11536");
  static int accounts;

  final AccountId account = AccountId.of("managed" + (++accounts));
  final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void clearJournal() {
    journal.clearAll();
  }

  /** A lifecycle whose start completes when the test says, knowing the instruments from then on (a first login that loads them). */
  static final class Login implements ServiceManager.Lifecycle {
    final CompletableFuture<Done> done = new CompletableFuture<>();
    volatile List<Instrument> loaded;

    @Override
    public CompletionStage<Done> started(TradingService.Parts parts) {
      return done.thenApply(ok -> {
        loaded = List.of(INSTRUMENT);
        return ok;
      });
    }

    @Override
    public CompletionStage<Done> stopping() {
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public List<Instrument> instruments() {
      return loaded;
    }
  }

  ActorRef<ServiceManager.Command> manager(Login login) {
    ServiceManager.ServiceSpec spec = new ServiceManager.ServiceSpec(account, new FakeBroker(), Credentials.none(), null, null, login);
    return testKit.spawn(ServiceManager.forAccount(spec, TradingService.Settings.defaults(), Duration.ofSeconds(5), CLOCK));
  }

  ServiceManager.Instruments instruments(ActorRef<ServiceManager.Command> manager) {
    TestProbe<ServiceManager.Instruments> probe = testKit.createTestProbe();
    manager.tell(new ServiceManager.GetInstruments(account, probe.ref()));
    return probe.receiveMessage();
  }

  @Test
  void itStartsTheServiceByItselfAndAnswersTheInstrumentsOnceTheFirstLoginLoadedThem() {
    Login login = new Login();
    ActorRef<ServiceManager.Command> manager = manager(login);
    String pid = "ServiceManager|" + account.value();
    journal.expectNextPersisted(pid, new ServiceManager.ServiceStarted(account, "engine", NOW));

    ServiceManager.Instruments before = instruments(manager);
    assertNull(before.instruments(), "not known before the first login");
    assertEquals(ServiceManager.ServiceState.STARTING, before.state().state());
    assertNotNull(before.state().service());
    assertEquals(testKit.system().address().toString(), before.state().node(), "the node the service runs on");

    login.done.complete(Done.getInstance());
    TestProbe<ServiceManager.Accounts> accountsProbe = testKit.createTestProbe();
    accountsProbe.awaitAssert(() -> {
      manager.tell(new ServiceManager.GetAccounts(accountsProbe.ref()));
      assertEquals(ServiceManager.ServiceState.RUNNING, accountsProbe.receiveMessage().byAccount().get(account).state());
      return null;
    });
    ServiceManager.Instruments after = instruments(manager);
    assertEquals(List.of(INSTRUMENT), after.instruments());
    assertEquals(ServiceManager.ServiceState.RUNNING, after.state().state());
    TestProbe<ServiceManager.Instruments> other = testKit.createTestProbe();
    manager.tell(new ServiceManager.GetInstruments(AccountId.of("nobody"), other.ref()));
    assertEquals(new ServiceManager.Instruments(AccountId.of("nobody"), null, null), other.receiveMessage(), "an account it does not run");
    journal.expectNothingPersisted(pid);
  }

  @Test
  void aFirstLoginRefusedLeavesTheAccountFailedWithTheReason() {
    Login login = new Login();
    ActorRef<ServiceManager.Command> manager = manager(login);
    String pid = "ServiceManager|" + account.value();
    journal.expectNextPersisted(pid, new ServiceManager.ServiceStarted(account, "engine", NOW));
    login.done.completeExceptionally(new IllegalStateException("first login of account " + account + " failed: wrong TOTP"));

    String reason = "could not resume after the start: java.lang.IllegalStateException: first login of account " + account + " failed: wrong TOTP";
    journal.expectNextPersisted(pid, new ServiceManager.ServiceFailed(account, reason, NOW));
    ServiceManager.Instruments answer = instruments(manager);
    assertNull(answer.instruments());
    assertEquals(ServiceManager.ServiceState.FAILED, answer.state().state());
    assertEquals(reason, answer.state().reason());
    assertNull(answer.state().service());
  }

  @Test
  void aHandOverStopsTheServiceGracefullyThenTheManager() {
    Login login = new Login();
    login.done.complete(Done.getInstance());
    ActorRef<ServiceManager.Command> manager = manager(login);
    String pid = "ServiceManager|" + account.value();
    journal.expectNextPersisted(pid, new ServiceManager.ServiceStarted(account, "engine", NOW));
    TestProbe<ServiceManager.Accounts> accountsProbe = testKit.createTestProbe();
    ActorRef<TradingService.Command> service = accountsProbe.awaitAssert(() -> {
      manager.tell(new ServiceManager.GetAccounts(accountsProbe.ref()));
      ServiceManager.AccountState state = accountsProbe.receiveMessage().byAccount().get(account);
      assertEquals(ServiceManager.ServiceState.RUNNING, state.state());
      return state.service();
    });

    manager.tell(ServiceManager.HandOver.INSTANCE);
    journal.expectNextPersisted(pid, new ServiceManager.ServiceStopped(account, "hand-over", 0, NOW));
    TestProbe<Object> watcher = testKit.createTestProbe();
    watcher.expectTerminated(service);
    watcher.expectTerminated(manager);
  }

  @Test
  void aHandOverWhileTheServiceIsStillStartingStopsItAndTheManager() {
    Login login = new Login(); // never completes: the first login hangs
    ActorRef<ServiceManager.Command> manager = manager(login);
    String pid = "ServiceManager|" + account.value();
    journal.expectNextPersisted(pid, new ServiceManager.ServiceStarted(account, "engine", NOW));
    ActorRef<TradingService.Command> service = instruments(manager).state().service();

    manager.tell(ServiceManager.HandOver.INSTANCE);
    journal.expectNextPersisted(pid, new ServiceManager.ServiceStopped(account, "hand-over", null, NOW));
    TestProbe<Object> watcher = testKit.createTestProbe();
    watcher.expectTerminated(service);
    watcher.expectTerminated(manager);
  }
}
