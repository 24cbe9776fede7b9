package dev.ordo.engine.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.engine.model.AccountId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The replay clocks of a cluster of three actor systems in this JVM (three nodes over Artery on 127.0.0.1): the driving node's
 * {@code AdvanceEverywhere} answers only once every node's clock moved, and refuses, naming the node, when a member has no
 * clocks or does not replay the account.
 */
class ReplayClocksTest {

  static final Config NODE = ConfigFactory.parseString("""
      pekko.actor.provider = cluster
      pekko.remote.artery.canonical.hostname = 127.0.0.1
      pekko.remote.artery.canonical.port = 0
      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
      pekko.actor.serialize-messages = on
      """).withFallback(ConfigFactory.load());
  static final ActorTestKit driving = ActorTestKit.create("ordo", NODE);
  static final ActorTestKit second = ActorTestKit.create("ordo", NODE);
  static final ActorTestKit third = ActorTestKit.create("ordo", NODE);
  static final AccountId PAPER = AccountId.of("paper");
  static final AccountId OTHER = AccountId.of("other");
  static final Instant START = Instant.parse("2024-01-15T03:45:00Z");
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  static final ReplayClock drivingPaper = new ReplayClock(START);
  static final ReplayClock secondPaper = new ReplayClock(START);
  static final ReplayClock secondOther = new ReplayClock(START);
  static ActorRef<ReplayClocks.Command> drivingClocks;

  @BeforeAll
  static void formCluster() {
    Cluster first = Cluster.get(driving.system());
    for (ActorTestKit node : new ActorTestKit[] {driving, second, third}) {
      TestProbe<SelfUp> up = node.createTestProbe();
      Cluster.get(node.system()).subscriptions().tell(Subscribe.create(up.ref(), SelfUp.class));
      Cluster.get(node.system()).manager().tell(Join.create(first.selfMember().address()));
      up.expectMessageClass(SelfUp.class, Duration.ofSeconds(30));
    }
    // the driving node itself sees the three Up (each node's SelfUp is its own view; the driving node's may come later)
    TestProbe<Object> view = driving.createTestProbe();
    view.awaitAssert(Duration.ofSeconds(30), () -> {
      long up = java.util.stream.StreamSupport.stream(first.state().getMembers().spliterator(), false)
          .filter(m -> m.status() == org.apache.pekko.cluster.MemberStatus.up()).count();
      assertEquals(3, up);
      return null;
    });
    drivingClocks = driving.spawn(ReplayClocks.create(Map.of(PAPER, drivingPaper), TIMEOUT, Duration.ofMillis(100), Clock.systemUTC()));
    second.spawn(ReplayClocks.create(Map.of(PAPER, secondPaper, OTHER, secondOther), TIMEOUT, Duration.ofMillis(100), Clock.systemUTC()));
  }

  @AfterAll
  static void shutdown() {
    third.shutdownTestKit();
    second.shutdownTestKit();
    driving.shutdownTestKit();
  }

  static ReplayClocks.Outcome advance(AccountId account, Instant instant) {
    TestProbe<ReplayClocks.Outcome> reply = driving.createTestProbe();
    drivingClocks.tell(new ReplayClocks.AdvanceEverywhere(account, instant, reply.ref()));
    return reply.expectMessageClass(ReplayClocks.Outcome.class, TIMEOUT.plusSeconds(10));
  }

  /** Waits until the driving node's receptionist lists {@code count} nodes' clocks. */
  static void awaitListed(int count) {
    TestProbe<Receptionist.Listing> listing = driving.createTestProbe();
    listing.awaitAssert(Duration.ofSeconds(20), () -> {
      driving.system().receptionist().tell(Receptionist.find(ReplayClocks.KEY, listing.ref()));
      assertEquals(count, listing.expectMessageClass(Receptionist.Listing.class).getServiceInstances(ReplayClocks.KEY).size());
      return null;
    });
  }

  @Test
  void movesEveryNodesClockBeforeItAnswers_onlyWhenNotAllThere_andRefusesAMemberWithoutClocks() {
    // the third node has no replay clocks: the driver must not go on as if its entities read the phase's instant
    awaitListed(2);
    Instant at = START.plus(Duration.ofMinutes(5));
    ReplayClocks.NotMoved refused = assertInstanceOf(ReplayClocks.NotMoved.class, advance(PAPER, at));
    assertTrue(refused.reason().contains("node " + Cluster.get(third.system()).selfMember().address() + " has no replay clocks listed"),
        refused.reason());

    // the third node's clocks: a fake that acknowledges and tells the test each move it was asked
    TestProbe<ReplayClocks.Advance> asked = third.createTestProbe();
    ActorRef<ReplayClocks.Command> fake = third.spawn(Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.register(ReplayClocks.KEY, context.getSelf()));
      return Behaviors.receiveMessage(command -> {
        if (command instanceof ReplayClocks.Advance advance) {
          asked.ref().tell(advance);
          advance.replyTo().tell(new ReplayClocks.Advanced(advance.account(), advance.instant(), true));
        }
        return Behaviors.same();
      });
    }));
    awaitListed(3);
    Instant later = START.plus(Duration.ofMinutes(10));
    assertEquals(new ReplayClocks.Moved(3), advance(PAPER, later));
    // the answer came after every node acknowledged: the other node's clock already shows the instant
    assertEquals(later, drivingPaper.instant());
    assertEquals(later, secondPaper.instant());
    assertEquals(START, secondOther.instant(), "another account's clock does not move");
    assertEquals(later, asked.expectMessageClass(ReplayClocks.Advance.class).instant());

    // an instant every node already acknowledged (a step's close is the next step's open) or an earlier one: no round trip
    assertEquals(new ReplayClocks.Moved(3), advance(PAPER, later));
    assertEquals(new ReplayClocks.Moved(3), advance(PAPER, START));
    asked.expectNoMessage(Duration.ofMillis(300));
    assertEquals(later, secondPaper.instant(), "never backwards");

    Instant next = later.plus(Duration.ofMinutes(5));
    assertEquals(new ReplayClocks.Moved(3), advance(PAPER, next));
    assertEquals(next, asked.expectMessageClass(ReplayClocks.Advance.class).instant());
    assertEquals(next, secondPaper.instant());
    third.stop(fake);
  }

  @Test
  void refusesAnAccountTheDrivingNodeDoesNotReplay() {
    ReplayClocks.NotMoved refused = assertInstanceOf(ReplayClocks.NotMoved.class, advance(OTHER, START.plusSeconds(60)));
    assertEquals("this node has no replay of account other", refused.reason());
    assertEquals(START, secondOther.instant());
  }
}
