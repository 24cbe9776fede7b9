package dev.ordo.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ordo} command line: {@code ordo run} starts the engine, {@code ordo broker-sim} the broker simulator. */
@Command(name = "ordo", mixinStandardHelpOptions = true, version = "Ordo 0.1.0",
    description = "Actor-based trading engine on Pekko.",
    subcommands = {RunCommand.class, BacktestCommand.class, BrokerSimCommand.class, SoakCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0 || !(RunCommand.keepsRunning() || BrokerSimCommand.keepsRunning())) System.exit(code);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: run, backtest or broker-sim");
  }
}
