package dev.ordo.app;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Collections;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * HTTPS for the API: {@code ordo.http.tls.keystore} names a PKCS#12 keystore holding the server's
 * private key and certificate chain, opened with {@code ordo.http.tls.keystore-password} (or
 * {@code ORDO_TLS_KEYSTORE_PASSWORD}); empty keeps plain HTTP. The password is never printed.
 */
public final class TlsSettings {

  private TlsSettings() {}

  /**
   * The server's TLS context, or null when no keystore is configured.
   *
   * @throws StartFailure {@link StartFailure#USAGE} when the keystore is missing, is not PKCS#12, its
   *     password is wrong, or it holds no private key; {@link StartFailure#ENVIRONMENT} when it cannot be read
   */
  public static SSLContext serverContext(Config config) throws StartFailure {
    String keystore = config.getString("ordo.http.tls.keystore");
    if (keystore.isBlank()) return null;
    Path file = Path.of(keystore);
    char[] password = config.getString("ordo.http.tls.keystore-password").toCharArray();
    String where = "TLS keystore " + file + " (ordo.http.tls.keystore)";
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      boolean hasKey = false;
      for (String alias : Collections.list(store.aliases())) hasKey |= store.isKeyEntry(alias);
      if (!hasKey) throw StartFailure.usage(where + " holds no private key: it needs the server's key and certificate chain");
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (NoSuchFileException e) {
      throw StartFailure.usage(where + " does not exist");
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password"))
        throw StartFailure.usage(where + " cannot be opened with the configured password (ordo.http.tls.keystore-password or "
            + "ORDO_TLS_KEYSTORE_PASSWORD)");
      throw StartFailure.usage(where + " is not a PKCS#12 keystore or cannot be read: " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw StartFailure.usage(where + " cannot be used: " + e.getMessage());
    }
  }
}
