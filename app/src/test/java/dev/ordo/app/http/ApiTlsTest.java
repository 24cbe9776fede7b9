package dev.ordo.app.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.ordo.app.Engine;
import dev.ordo.app.EngineFixtureAccess;
import dev.ordo.app.StartFailure;
import dev.ordo.app.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API over HTTPS with a PKCS#12 keystore from the configuration, and the refusals of a bad one. */
class ApiTlsTest {

  static final String PASSWORD = "keystore-pass-42";

  @TempDir
  Path dir;

  /** A self-signed certificate for 127.0.0.1 in a new PKCS#12 keystore, made with the JDK's keytool. */
  Path keystore() throws IOException, InterruptedException {
    Path file = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-alias", "ordo",
        "-keyalg", "EC", "-groupname", "secp256r1", "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", PASSWORD,
        "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2").redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes());
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, output);
    return file;
  }

  static Config tls(Path keystore, String password) {
    return ConfigFactory.parseMap(Map.of("ordo.http.tls.keystore", keystore.toString(), "ordo.http.tls.keystore-password", password))
        .withFallback(ConfigFactory.load());
  }

  @Test
  void theApiAnswersOverHttpsWithTheConfiguredKeystore() throws Exception {
    Path keystore = keystore();
    Engine engine = EngineFixtureAccess.start(dir.resolve("state"), tls(keystore, PASSWORD));
    try {
      assertTrue(engine.apiUrl().startsWith("https://127.0.0.1:"), engine.apiUrl());
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        trusted.load(in, PASSWORD.toCharArray());
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext client = SSLContext.getInstance("TLS");
      client.init(null, trust.getTrustManagers(), null);
      HttpClient https = HttpClient.newBuilder().sslContext(client).build();
      String token = Files.readString(engine.apiTokenFile()).strip();
      HttpResponse<String> status = https.send(HttpRequest.newBuilder(URI.create(engine.apiUrl() + "/status"))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, status.statusCode(), status.body());
      assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(engine.apiUrl().replace("https:", "http:") + "/health")).build(), HttpResponse.BodyHandlers.ofString()),
          "no plain HTTP on the TLS port");
    } finally {
      engine.close();
    }
  }

  @Test
  void aMissingKeystoreOrAWrongPasswordIsRefusedWithoutPrintingThePassword() throws Exception {
    StartFailure missing = assertThrows(StartFailure.class, () -> TlsSettings.serverContext(tls(dir.resolve("nope.p12"), PASSWORD)));
    assertEquals("TLS keystore " + dir.resolve("nope.p12") + " (ordo.http.tls.keystore) does not exist", missing.getMessage());
    Path keystore = keystore();
    StartFailure wrong = assertThrows(StartFailure.class, () -> TlsSettings.serverContext(tls(keystore, "not-the-password")));
    assertEquals("TLS keystore " + keystore + " (ordo.http.tls.keystore) cannot be opened with the configured password "
        + "(ordo.http.tls.keystore-password or ORDO_TLS_KEYSTORE_PASSWORD)", wrong.getMessage());
    Path notAKeystore = Files.writeString(dir.resolve("plain.p12"), "hello");
    StartFailure garbage = assertThrows(StartFailure.class, () -> TlsSettings.serverContext(tls(notAKeystore, PASSWORD)));
    assertTrue(garbage.getMessage().startsWith("TLS keystore " + notAKeystore + " (ordo.http.tls.keystore) is not a PKCS#12 keystore"),
        garbage.getMessage());
    assertEquals(null, TlsSettings.serverContext(ConfigFactory.load()), "no keystore, plain HTTP");
  }
}
