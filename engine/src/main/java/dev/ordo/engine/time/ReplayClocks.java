package dev.ordo.engine.time;

import dev.ordo.engine.OrdoSerializable;
import dev.ordo.engine.model.AccountId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The replay clocks of one node (a {@link ReplayClock} per paper account), and how a replay driven from one node moves the
 * clocks of every node of its cluster.
 *
 * <p>Every entity of a replay stamps its events and takes "today" (an account's daily risk limits) from its account's replay
 * clock, which is a value of its JVM. In a cluster the entities of one account live on several nodes, so each node runs one of
 * these actors, registered with the receptionist under {@link #KEY}. Before each phase of a step the driver asks its own node's
 * actor to {@link AdvanceEverywhere}: it moves its clock, asks every other node's actor to {@link Advance} and answers once
 * every node acknowledged. The acknowledgement comes after the clock moved, and the phase's messages are sent after the
 * acknowledgements, so an entity anywhere reads the phase's instant, as in a single JVM: the same events, the same trades. A move
 * to an instant the same nodes all acknowledged already (a bar's close is the next bar's open) is answered at once.
 *
 * <p>Every node that may host the account's entities must answer: the members Up (or leaving) in the cluster are compared with
 * the nodes whose clocks are listed; one not listed yet (it just joined, the listing is still on its way) or one that does not
 * answer (it died and is not yet downed) is waited for and asked again every {@code retryEvery}, until {@code timeout}: then the
 * request fails, naming the nodes (the replay stops there and resumes at the driving node's restart). A single-node engine
 * needs none of this ({@link ReplayClock#advanceTo} directly).
 */
public final class ReplayClocks {

  private ReplayClocks() {}

  /** The receptionist key every node's replay clocks are registered under. */
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "replay-clocks");

  /** Protocol of a node's replay clocks. */
  public sealed interface Command {}

  /**
   * Moves this node's clock of {@code account} to {@code instant} (never backwards); sent by the driving node.
   *
   * @param replyTo answered {@link Advanced} after the clock moved ({@code known} false: this node has no such account)
   */
  public record Advance(AccountId account, Instant instant, ActorRef<Advanced> replyTo) implements Command, OrdoSerializable {}

  /**
   * The answer to {@link Advance}.
   *
   * @param known whether the node replays {@code account} (false: it was started with other accounts or data)
   */
  public record Advanced(AccountId account, Instant instant, boolean known) implements OrdoSerializable {}

  /** Moves the clock of {@code account} on every node, answered when every node's clock is there; local to the driving node. */
  public record AdvanceEverywhere(AccountId account, Instant instant, ActorRef<Outcome> replyTo)
      implements Command, NoSerializationVerificationNeeded {}

  /** The answer to {@link AdvanceEverywhere}. */
  public sealed interface Outcome extends NoSerializationVerificationNeeded {}

  /** Every node's clock of the account shows at least the instant; {@code nodes} how many answered (this one included). */
  public record Moved(int nodes) implements Outcome {}

  /** Not every node acknowledged within the timeout: {@code reason} names them and why. */
  public record NotMoved(String reason) implements Outcome {}

  private record Listed(Receptionist.Listing listing) implements Command, NoSerializationVerificationNeeded {}

  private record Attempt(AdvanceEverywhere request, Instant deadline) implements Command, NoSerializationVerificationNeeded {}

  /** @param asked the nodes (this one included) that hosted entities when the attempt was made */
  private record Answered(Attempt attempt, Set<Address> asked, List<String> missing) implements Command, NoSerializationVerificationNeeded {}

  /**
   * @param clocks     this node's clock of each account it replays
   * @param timeout    how long an {@link AdvanceEverywhere} may wait for every node
   * @param retryEvery how long to wait before asking again when a node is missing or did not answer
   * @param wallClock  the clock of the deadlines (the system clock; not a replay clock)
   */
  public static Behavior<Command> create(Map<AccountId, ReplayClock> clocks, Duration timeout, Duration retryEvery, Clock wallClock) {
    return Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.register(KEY, context.getSelf()));
      context.getSystem().receptionist().tell(Receptionist.subscribe(KEY, context.messageAdapter(Receptionist.Listing.class, Listed::new)));
      return new Node(Map.copyOf(clocks), timeout, retryEvery, wallClock, context).behavior(Set.of());
    });
  }

  /**
   * A {@link ReplayClock.Mover} that moves {@code account}'s clock on every node through this node's {@code clocks}.
   *
   * @param askTimeout how long to wait for the answer (longer than the actor's own timeout, which answers first)
   */
  public static ReplayClock.Mover mover(ActorRef<Command> clocks, AccountId account, Duration askTimeout,
      org.apache.pekko.actor.typed.Scheduler scheduler) {
    return instant -> AskPattern.<Command, Outcome>ask(clocks, replyTo -> new AdvanceEverywhere(account, instant, replyTo), askTimeout,
        scheduler).thenApply(outcome -> {
          if (outcome instanceof NotMoved notMoved)
            throw new IllegalStateException("the replay clock of account " + account + " could not be moved to " + instant + " on every node: "
                + notMoved.reason());
          return Done.getInstance();
        });
  }

  private static final class Node {
    private final Map<AccountId, ReplayClock> clocks;
    private final Duration timeout;
    private final Duration retryEvery;
    private final Clock wallClock;
    private final ActorContext<Command> context;
    private final Cluster cluster;
    /** Per account, the latest instant every node of {@link #confirmedOn} acknowledged. */
    private final Map<AccountId, Instant> confirmedAt = new HashMap<>();
    private final Map<AccountId, Set<Address>> confirmedOn = new HashMap<>();

    Node(Map<AccountId, ReplayClock> clocks, Duration timeout, Duration retryEvery, Clock wallClock, ActorContext<Command> context) {
      this.clocks = clocks;
      this.timeout = timeout;
      this.retryEvery = retryEvery;
      this.wallClock = wallClock;
      this.context = context;
      this.cluster = Cluster.get(context.getSystem());
    }

    /** @param listed every node's replay clocks the receptionist lists (this node's included once its registration is seen) */
    Behavior<Command> behavior(Set<ActorRef<Command>> listed) {
      return Behaviors.receive(Command.class)
          .onMessage(Advance.class, advance -> {
            ReplayClock clock = clocks.get(advance.account());
            if (clock != null) clock.advanceTo(advance.instant());
            advance.replyTo().tell(new Advanced(advance.account(), advance.instant(), clock != null));
            return Behaviors.same();
          })
          .onMessage(Listed.class, l -> behavior(Set.copyOf(l.listing().getServiceInstances(KEY))))
          .onMessage(AdvanceEverywhere.class, request -> {
            ReplayClock own = clocks.get(request.account());
            if (own == null) {
              request.replyTo().tell(new NotMoved("this node has no replay of account " + request.account()));
              return Behaviors.same();
            }
            own.advanceTo(request.instant());
            // A step's close is the next step's open within a session: every node already showing the instant (the same nodes
            // as when they acknowledged it), the move needs no round trip. Half of a replay's moves are such.
            Instant done = confirmedAt.get(request.account());
            Set<Address> hosting = hosting();
            if (done != null && !request.instant().isAfter(done) && hosting.equals(confirmedOn.get(request.account()))) {
              request.replyTo().tell(new Moved(hosting.size()));
              return Behaviors.same();
            }
            attempt(new Attempt(request, wallClock.instant().plus(timeout)), listed);
            return Behaviors.same();
          })
          .onMessage(Attempt.class, a -> {
            attempt(a, listed);
            return Behaviors.same();
          })
          .onMessage(Answered.class, answered -> {
            Attempt a = answered.attempt();
            if (answered.missing().isEmpty()) {
              AccountId account = a.request().account();
              confirmedAt.merge(account, a.request().instant(), (x, y) -> x.isAfter(y) ? x : y);
              confirmedOn.put(account, answered.asked());
              a.request().replyTo().tell(new Moved(answered.asked().size()));
            } else if (wallClock.instant().isBefore(a.deadline())) context.scheduleOnce(retryEvery, context.getSelf(), a);
            else a.request().replyTo().tell(new NotMoved(String.join("; ", answered.missing()) + " (after " + timeout.toSeconds() + " s)"));
            return Behaviors.same();
          })
          .build();
    }

    /** Asks every other node's clocks to advance (the own clock moved already), then tells itself who is missing. */
    private void attempt(Attempt attempt, Set<ActorRef<Command>> listed) {
      AdvanceEverywhere request = attempt.request();
      Map<Address, ActorRef<Command>> others = othersOf(listed);
      List<String> missing = new ArrayList<>();
      Set<Address> members = hosting();
      members.stream().filter(m -> !m.equals(selfAddress()) && !others.containsKey(m)).map(Address::toString).sorted()
          .forEach(m -> missing.add("node " + m + " has no replay clocks listed yet (is it started with the same accounts and data?)"));
      List<CompletableFuture<String>> answers = new ArrayList<>();
      Duration perAsk = timeout.compareTo(Duration.ofSeconds(5)) < 0 ? timeout : Duration.ofSeconds(5);
      for (Map.Entry<Address, ActorRef<Command>> other : others.entrySet()) {
        if (!members.contains(other.getKey())) continue; // a node that left: it hosts nothing any more
        CompletionStage<Advanced> answer = AskPattern.ask(other.getValue(), replyTo -> new Advance(request.account(), request.instant(), replyTo),
            perAsk, context.getSystem().scheduler());
        answers.add(answer.toCompletableFuture().handle((advanced, failure) -> failure != null
            ? "node " + other.getKey() + " did not answer (" + failure.getClass().getSimpleName() + ")"
            : advanced.known() ? null : "node " + other.getKey() + " does not replay account " + request.account()));
      }
      CompletableFuture<List<String>> all = CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
        List<String> problems = new ArrayList<>(missing);
        answers.stream().map(CompletableFuture::join).filter(java.util.Objects::nonNull).forEach(problems::add);
        return problems;
      });
      context.pipeToSelf(all, (problems, failure) -> new Answered(attempt, members, failure != null ? List.of(failure.toString()) : problems));
    }

    /** The members that may host entities now: Up, WeaklyUp, Leaving or Exiting (this node's view). */
    private Set<Address> hosting() {
      Set<Address> members = new HashSet<>();
      cluster.state().getMembers().forEach(m -> {
        MemberStatus s = m.status();
        if (s == MemberStatus.up() || s == MemberStatus.weaklyUp() || s == MemberStatus.leaving() || s == MemberStatus.exiting())
          members.add(m.address());
      });
      return members;
    }

    /** The listed clocks of the other nodes, by node address. */
    private Map<Address, ActorRef<Command>> othersOf(Set<ActorRef<Command>> listed) {
      Map<Address, ActorRef<Command>> others = new HashMap<>();
      for (ActorRef<Command> ref : listed) {
        Address address = ref.path().address();
        if (!address.hasLocalScope() && !address.equals(selfAddress())) others.put(address, ref);
      }
      return others;
    }

    private Address selfAddress() {
      return cluster.selfMember().address();
    }
  }
}
