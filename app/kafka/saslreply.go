package kafka

import (
	"crypto/tls"
	"encoding/binary"
	"net"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// saslFailedMessage is what a client with a wrong user or password reads.
const saslFailedMessage = "Authentication failed: invalid user name or password"

// replyListener accepts connections for kfake, terminating TLS itself when
// configured, and wraps each in a replyConn. kfake answers a failed SASL
// authentication by closing the connection, which a client can only report as
// EOF; a real broker answers SASL_AUTHENTICATION_FAILED. replyConn restores
// that answer, so a wrong password reads as one.
type replyListener struct {
	net.Listener
	tls *tls.Config
}

// Accept implements net.Listener.
func (l replyListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.tls != nil {
		c = tls.Server(c, l.tls)
	}
	return &replyConn{Conn: c}, nil
}

// replyConn watches the Kafka frames going through a broker connection
// (plaintext: inside TLS). Requests are answered strictly in order, so when the
// broker closes the connection with a SASLAuthenticate request unanswered, the
// broker refused the credentials: replyConn writes the error response the
// client waits for, then closes.
type replyConn struct {
	net.Conn
	mu        sync.Mutex
	in, out   frameScanner
	requests  int
	responses int
	lastKey   int16
	lastVer   int16
	lastCorr  int32
}

// Read implements net.Conn, noting each request header read.
func (c *replyConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.in.feed(p[:n], 12, func(hdr []byte) { // size, api key, version, correlation id
		c.requests++
		c.lastKey = int16(binary.BigEndian.Uint16(hdr[4:6]))
		c.lastVer = int16(binary.BigEndian.Uint16(hdr[6:8]))
		c.lastCorr = int32(binary.BigEndian.Uint32(hdr[8:12]))
	})
	c.mu.Unlock()
	return n, err
}

// Write implements net.Conn, counting responses written.
func (c *replyConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.mu.Lock()
	c.out.feed(p[:n], 4, func([]byte) { c.responses++ })
	c.mu.Unlock()
	return n, err
}

// Close implements net.Conn, answering an unanswered SASLAuthenticate first.
func (c *replyConn) Close() error {
	c.mu.Lock()
	unanswered := c.requests > c.responses && c.lastKey == int16(kmsg.SASLAuthenticate)
	ver, corr := c.lastVer, c.lastCorr
	c.mu.Unlock()
	if unanswered {
		resp := kmsg.NewPtrSASLAuthenticateResponse()
		resp.Version = ver
		resp.ErrorCode = kerr.SaslAuthenticationFailed.Code
		msg := saslFailedMessage
		resp.ErrorMessage = &msg
		buf := make([]byte, 8, 64)
		if resp.IsFlexible() {
			buf = append(buf, 0) // empty response header tags
		}
		buf = resp.AppendTo(buf)
		binary.BigEndian.PutUint32(buf[:4], uint32(len(buf)-4))
		binary.BigEndian.PutUint32(buf[4:8], uint32(corr))
		_ = c.Conn.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = c.Conn.Write(buf) // best effort: the client may be gone
	}
	return c.Conn.Close()
}

// frameScanner finds the starts of size-prefixed Kafka frames in a byte
// stream that arrives in arbitrary pieces.
type frameScanner struct {
	hdr  []byte
	skip int
}

// feed consumes b, calling fn with the first hdrLen bytes of every frame
// (hdrLen >= 4: the size prefix first).
func (s *frameScanner) feed(b []byte, hdrLen int, fn func(hdr []byte)) {
	for len(b) > 0 {
		if s.skip > 0 {
			k := min(s.skip, len(b))
			s.skip -= k
			b = b[k:]
			continue
		}
		k := min(hdrLen-len(s.hdr), len(b))
		s.hdr = append(s.hdr, b[:k]...)
		b = b[k:]
		if len(s.hdr) == hdrLen {
			size := int(binary.BigEndian.Uint32(s.hdr[:4]))
			fn(s.hdr)
			s.skip = max(0, size+4-hdrLen)
			s.hdr = s.hdr[:0]
		}
	}
}
