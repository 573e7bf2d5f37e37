package org.masquerelay.server.certs;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** Key types Apple's TLS trust rules accept: ECDSA P-256, or RSA of 2048 bits or more. */
public enum KeyType {
    EC_P256, RSA_2048, RSA_3072, RSA_4096;

    public KeyPair generate() {
        try {
            if (this == EC_P256) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                return g.generateKeyPair();
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(switch (this) {
                case RSA_2048 -> 2048;
                case RSA_3072 -> 3072;
                default -> 4096;
            });
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new CertsException("this Java runtime cannot generate " + this + " keys: " + e.getMessage(), e);
        }
    }

    public boolean isRsa() {
        return this != EC_P256;
    }
}
