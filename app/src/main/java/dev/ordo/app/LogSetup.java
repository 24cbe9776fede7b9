package dev.ordo.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * Where the logs go and in what shape, set from the command line: text lines on stderr (the
 * default, {@code logback.xml}), or one JSON object per line ({@code --log-format json}, Logstash's
 * encoder: time, level, logger, thread, message, the MDC fields such as account, instrument and
 * client order id, and the stack trace); to a file that rolls by day and size instead of stderr
 * ({@code --log-file}); and levels per logger from {@code ordo.log-levels}.
 */
public final class LogSetup {

  /** A log line's shape. */
  public enum Format {
    TEXT,
    JSON
  }

  /** The text layout, the same as {@code logback.xml}'s. */
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n";
  /** The rolled file's size limit, days kept and total size cap. */
  static final String MAX_FILE_SIZE = "100MB";
  static final int MAX_DAYS = 14;
  static final String TOTAL_SIZE_CAP = "2GB";

  private static final String APPENDER = "ORDO";

  private LogSetup() {}

  /**
   * Sends every log line to {@code file} (rolled daily and at {@value #MAX_FILE_SIZE} into
   * {@code FILE.yyyy-MM-dd.N.gz}, {@value #MAX_DAYS} days and {@value #TOTAL_SIZE_CAP} kept) or, when
   * it is null, to stderr, in {@code format}. Replaces the appenders of the root logger.
   */
  public static void configure(Format format, Path file) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Encoder<ILoggingEvent> encoder = encoder(context, format);
    Appender<ILoggingEvent> appender;
    if (file == null) {
      ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
      console.setTarget("System.err");
      console.setEncoder(encoder);
      appender = console;
    } else {
      RollingFileAppender<ILoggingEvent> rolling = new RollingFileAppender<>();
      rolling.setContext(context);
      rolling.setFile(file.toString());
      SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
      policy.setContext(context);
      policy.setParent(rolling);
      policy.setFileNamePattern(file + ".%d{yyyy-MM-dd}.%i.gz");
      policy.setMaxFileSize(FileSize.valueOf(MAX_FILE_SIZE));
      policy.setMaxHistory(MAX_DAYS);
      policy.setTotalSizeCap(FileSize.valueOf(TOTAL_SIZE_CAP));
      policy.start();
      rolling.setRollingPolicy(policy);
      rolling.setEncoder(encoder);
      appender = rolling;
    }
    appender.setContext(context);
    appender.setName(APPENDER);
    appender.start();
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext context, Format format) {
    if (format == Format.JSON) {
      LogstashEncoder json = new LogstashEncoder();
      json.setContext(context);
      json.start();
      return json;
    }
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern(PATTERN);
    text.start();
    return text;
  }

  /**
   * Sets the level of each logger named in {@code levels} ({@code ordo.log-levels}: logger or package
   * name → TRACE, DEBUG, INFO, WARN, ERROR or OFF).
   *
   * @throws IllegalArgumentException naming the logger and the accepted levels for a level that is not one
   */
  public static void levels(Config levels) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    for (Map.Entry<String, ConfigValue> entry : levels.entrySet()) {
      String name = entry.getKey().replace("\"", "");
      String text = String.valueOf(entry.getValue().unwrapped()).toUpperCase(Locale.ROOT);
      if (!text.matches("TRACE|DEBUG|INFO|WARN|ERROR|OFF"))
        throw new IllegalArgumentException("ordo.log-levels." + name + " = " + entry.getValue().unwrapped()
            + ": a level is TRACE, DEBUG, INFO, WARN, ERROR or OFF");
      context.getLogger(name).setLevel(Level.toLevel(text));
    }
  }
}
