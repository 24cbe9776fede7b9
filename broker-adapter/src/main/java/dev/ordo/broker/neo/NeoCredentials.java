package dev.ordo.broker.neo;

import dev.ordo.engine.port.Credentials;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The secrets of a Kotak Neo login: consumer key (the {@code Authorization} header), mobile
 * number and UCC (client code), MPIN, and the TOTP seed. Read from the environment
 * ({@code ORDO_NEO_CONSUMER_KEY}, {@code ORDO_NEO_MOBILE}, {@code ORDO_NEO_UCC}, {@code ORDO_NEO_MPIN},
 * {@code ORDO_NEO_TOTP_SEED}) or from a properties file with the keys {@code consumer-key},
 * {@code mobile}, {@code ucc}, {@code mpin}, {@code totp-seed}; never from a command line.
 * {@link #toString()} shows no secret.
 */
public record NeoCredentials(String consumerKey, String mobileNumber, String ucc, String mpin, String totpSeed) {

  private static final Map<String, String> ENV = Map.of("consumer-key", "ORDO_NEO_CONSUMER_KEY", "mobile", "ORDO_NEO_MOBILE", "ucc",
      "ORDO_NEO_UCC", "mpin", "ORDO_NEO_MPIN", "totp-seed", "ORDO_NEO_TOTP_SEED");

  /**
   * From environment variables.
   *
   * @throws IllegalArgumentException naming the missing variables
   */
  public static NeoCredentials fromEnvironment(Map<String, String> environment) {
    Properties p = new Properties();
    ENV.forEach((key, variable) -> {
      String value = environment.get(variable);
      if (value != null) p.setProperty(key, value);
    });
    return of(p, "environment variables " + ENV.values().stream().sorted().toList());
  }

  /**
   * From a properties file.
   *
   * @throws IllegalArgumentException naming the file and the missing keys
   * @throws IOException when the file cannot be read
   */
  public static NeoCredentials fromFile(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      p.load(reader);
    }
    return of(p, file.toString());
  }

  private static NeoCredentials of(Properties p, String source) {
    List<String> missing = new ArrayList<>();
    for (String key : List.of("consumer-key", "mobile", "ucc", "mpin", "totp-seed"))
      if (p.getProperty(key, "").isBlank()) missing.add(key);
    if (!missing.isEmpty()) throw new IllegalArgumentException("Kotak Neo credentials incomplete in " + source + ": missing " + missing);
    NeoCredentials credentials = new NeoCredentials(p.getProperty("consumer-key").trim(), p.getProperty("mobile").trim(),
        p.getProperty("ucc").trim(), p.getProperty("mpin").trim(), p.getProperty("totp-seed").trim());
    Totp.code(credentials.totpSeed(), java.time.Instant.EPOCH); // fails early on a seed that is not Base32
    return credentials;
  }

  /** As the engine's opaque credentials. */
  public Credentials toCredentials() {
    return new Credentials(Map.of("consumer-key", consumerKey, "mobile", mobileNumber, "ucc", ucc, "mpin", mpin, "totp-seed", totpSeed));
  }

  /**
   * Back from the engine's credentials.
   *
   * @throws IllegalArgumentException when a value is missing
   */
  public static NeoCredentials from(Credentials credentials) {
    Properties p = new Properties();
    credentials.values().forEach(p::setProperty);
    return of(p, "credentials");
  }

  @Override
  public String toString() {
    return "NeoCredentials[ucc=" + (ucc.length() > 2 ? ucc.substring(0, 2) + "***" : "***") + "]";
  }
}
