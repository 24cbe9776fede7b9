package dev.ordo.app;

import java.util.List;
import picocli.CommandLine.Option;

/**
 * The broker simulator's faults as the crash tests set them ({@code crash-test --broker sim}, {@code cluster-test}): every fault
 * on by default, the same names and meanings as {@code bin/ordo broker-sim}'s options.
 */
final class SimFaultOptions {

  @Option(names = "--token-ttl", defaultValue = "30s", paramLabel = "DURATION", description = "Simulator fault: token lifetime (default ${DEFAULT-VALUE}).")
  String tokenTtl;

  @Option(names = "--drop-ws-every", defaultValue = "20s", paramLabel = "DURATION",
      description = "Simulator fault: socket drop period (default ${DEFAULT-VALUE}).")
  String dropWsEvery;

  @Option(names = "--stall-ws-every", defaultValue = "45s", paramLabel = "DURATION",
      description = "Simulator fault: socket stall period (default ${DEFAULT-VALUE}).")
  String stallWsEvery;

  @Option(names = "--stall-for", defaultValue = "10s", paramLabel = "DURATION", description = "Simulator fault: stall length (default ${DEFAULT-VALUE}).")
  String stallFor;

  @Option(names = "--error-rate", defaultValue = "0.05", paramLabel = "P",
      description = "Simulator fault: share of calls answered 429/5xx (default ${DEFAULT-VALUE}).")
  double errorRate;

  @Option(names = "--latency", defaultValue = "20ms", paramLabel = "DURATION", description = "Simulator fault: added latency (default ${DEFAULT-VALUE}).")
  String latency;

  @Option(names = "--ambiguous-rate", defaultValue = "0.05", paramLabel = "P",
      description = "Simulator fault: share of placements carried out but never answered (default ${DEFAULT-VALUE}).")
  double ambiguousRate;

  /**
   * The simulator's arguments for these faults, seeded with {@code seed}.
   *
   * @throws IllegalArgumentException naming the option that is wrong (the simulator refuses it the same way; checked here so that
   *     nothing starts with a bad one)
   */
  List<String> validated(long seed) {
    new dev.ordo.sim.SimFaults(BrokerSimCommand.duration("--token-ttl", tokenTtl), BrokerSimCommand.duration("--drop-ws-every", dropWsEvery),
        BrokerSimCommand.duration("--stall-ws-every", stallWsEvery), BrokerSimCommand.duration("--stall-for", stallFor), errorRate,
        BrokerSimCommand.duration("--latency", latency), ambiguousRate, seed);
    return List.of("--token-ttl", tokenTtl, "--drop-ws-every", dropWsEvery, "--stall-ws-every", stallWsEvery, "--stall-for", stallFor,
        "--error-rate", Double.toString(errorRate), "--latency", latency, "--ambiguous-rate", Double.toString(ambiguousRate), "--seed",
        Long.toString(seed));
  }
}
