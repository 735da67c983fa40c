package kafka

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"os"
)

// ErrKeyPassphrase means the client key is encrypted and the passphrase
// given for it is missing or wrong.
var ErrKeyPassphrase = errors.New("the TLS client key is encrypted: its passphrase is missing or wrong")

// Object identifiers of PKCS #5 v2.1 (RFC 8018) PBES2 as OpenSSL writes it
// (`openssl pkcs8 -topk8 -v2 aes-256-cbc`, the OpenSSL 3 default).
var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

type encryptedPKCS8 struct {
	Algo struct {
		OID    asn1.ObjectIdentifier
		Params struct {
			KDF struct {
				OID    asn1.ObjectIdentifier
				Params struct {
					Salt      []byte
					Iter      int
					KeyLength int `asn1:"optional"`
					PRF       struct {
						OID    asn1.ObjectIdentifier
						Params asn1.RawValue `asn1:"optional"`
					} `asn1:"optional"`
				}
			}
			Cipher struct {
				OID asn1.ObjectIdentifier
				IV  []byte
			}
		}
	}
	Data []byte
}

// loadKeyPair loads the client certificate and key; an encrypted key
// ("ENCRYPTED PRIVATE KEY", PKCS #8 PBES2 with PBKDF2 and AES-CBC, or a
// legacy "Proc-Type: 4,ENCRYPTED" PEM) is decrypted with passphrase.
func loadKeyPair(certFile, keyFile, passphrase string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("read TLS client certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("read TLS client key: %w", err)
	}
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return tls.Certificate{}, fmt.Errorf("TLS client key %s: no PEM block in it", keyFile)
	}
	var der []byte
	switch {
	case block.Type == "ENCRYPTED PRIVATE KEY":
		if der, err = decryptPBES2(block.Bytes, passphrase); err != nil {
			return tls.Certificate{}, fmt.Errorf("TLS client key %s: %w", keyFile, err)
		}
		block = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	//lint:ignore SA1019 legacy OpenSSL keys are still met in the field; read only, never written
	case x509.IsEncryptedPEMBlock(block):
		if passphrase == "" {
			return tls.Certificate{}, fmt.Errorf("TLS client key %s: %w", keyFile, ErrKeyPassphrase)
		}
		//lint:ignore SA1019 as above: reading a legacy encrypted key
		if der, err = x509.DecryptPEMBlock(block, []byte(passphrase)); err != nil {
			return tls.Certificate{}, fmt.Errorf("TLS client key %s: %w", keyFile, ErrKeyPassphrase)
		}
		block = &pem.Block{Type: block.Type, Bytes: der}
	default:
		return tls.X509KeyPair(certPEM, keyPEM)
	}
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(block))
	clear(der)
	return cert, err
}

// decryptPBES2 decrypts a PKCS #8 EncryptedPrivateKeyInfo (RFC 5958) under
// PBES2 (RFC 8018): PBKDF2 with HMAC-SHA-1/256/512, AES-128/192/256-CBC.
func decryptPBES2(der []byte, passphrase string) ([]byte, error) {
	if passphrase == "" {
		return nil, ErrKeyPassphrase
	}
	var k encryptedPKCS8
	if _, err := asn1.Unmarshal(der, &k); err != nil {
		return nil, fmt.Errorf("unreadable encrypted key: %w", err)
	}
	p := k.Algo.Params
	if !k.Algo.OID.Equal(oidPBES2) || !p.KDF.OID.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("encrypted key: only PBES2 with PBKDF2 is read (got %v)", k.Algo.OID)
	}
	prf := func() hash.Hash { return sha1.New() } // RFC 8018's default PRF
	switch o := p.KDF.Params.PRF.OID; {
	case o == nil || o.Equal(oidHMACSHA1):
	case o.Equal(oidHMACSHA256):
		prf = sha256.New
	case o.Equal(oidHMACSHA512):
		prf = sha512.New
	default:
		return nil, fmt.Errorf("encrypted key: PBKDF2 PRF %v not supported", o)
	}
	size := map[string]int{oidAES128CBC.String(): 16, oidAES192CBC.String(): 24, oidAES256CBC.String(): 32}[p.Cipher.OID.String()]
	if size == 0 || len(p.Cipher.IV) != aes.BlockSize {
		return nil, fmt.Errorf("encrypted key: cipher %v not supported (AES-CBC only)", p.Cipher.OID)
	}
	if p.KDF.Params.Iter < 1 || p.KDF.Params.Iter > 10_000_000 {
		return nil, fmt.Errorf("encrypted key: PBKDF2 iteration count %d out of range", p.KDF.Params.Iter)
	}
	key, err := pbkdf2.Key(prf, passphrase, p.KDF.Params.Salt, p.KDF.Params.Iter, size)
	if err != nil {
		return nil, fmt.Errorf("encrypted key: %w", err)
	}
	defer clear(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	if len(k.Data) == 0 || len(k.Data)%aes.BlockSize != 0 {
		return nil, ErrKeyPassphrase
	}
	out := make([]byte, len(k.Data))
	cipher.NewCBCDecrypter(block, p.Cipher.IV).CryptBlocks(out, k.Data)
	// PKCS #7 padding; a wrong passphrase almost always breaks it, and the
	// DER parse below catches the rest.
	n := int(out[len(out)-1])
	if n < 1 || n > aes.BlockSize {
		return nil, ErrKeyPassphrase
	}
	for _, b := range out[len(out)-n:] {
		if int(b) != n {
			return nil, ErrKeyPassphrase
		}
	}
	out = out[:len(out)-n]
	if _, err := x509.ParsePKCS8PrivateKey(out); err != nil {
		return nil, ErrKeyPassphrase
	}
	return out, nil
}
