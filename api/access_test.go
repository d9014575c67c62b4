package api

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/pm-project/pm/api/client"
	"github.com/pm-project/pm/api/pmv1"
)

func TestIsReadOnly(t *testing.T) {
	tests := []struct {
		method string
		want   bool
	}{
		{"/pm.v1.PM/List", true},
		{"/pm.v1.PM/Watch", true},
		{"/pm.v1.PM/Logs", true},
		{"/pm.v1.PM/IsEnabled", true},
		{"/pm.v1.PM/Start", false},
		{"/pm.v1.PM/Create", false},
		{"/pm.v1.PM/Enable", false},
		{"/pm.v1.PM/ReloadConfig", false},
		{"/grpc.health.v1.Health/Check", true},
		{"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", true},
		{"/other.Service/List", false},
		{"garbage", false},
	}
	for _, tt := range tests {
		if got := IsReadOnly(tt.method); got != tt.want {
			t.Errorf("IsReadOnly(%s): got %v, want %v", tt.method, got, tt.want)
		}
	}
}

func TestPolicy(t *testing.T) {
	p := Policy{OwnUID: 1000, GroupID: 50, HasGroup: true, GroupName: "pm"}
	tests := []struct {
		name string
		peer PeerInfo
		want bool
	}{
		{"root", PeerInfo{UID: 0, GID: 0}, true},
		{"pmd's user", PeerInfo{UID: 1000, GID: 1000}, true},
		{"stranger", PeerInfo{UID: 1001, GID: 1001, Groups: []uint32{1001, 20}}, false},
		{"primary group", PeerInfo{UID: 1001, GID: 50}, true},
		{"supplementary group", PeerInfo{UID: 1001, GID: 1001, Groups: []uint32{7, 50}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.allows(tt.peer); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if (Policy{OwnUID: 1000}).allows(PeerInfo{UID: 1001, GID: 0}) {
		t.Error("without a group, gid 0 must not be enough")
	}
	gs, err := procGroups(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	own, _ := os.Getgroups()
	if len(gs) != len(own) {
		t.Errorf("got groups %v from /proc, want %v", gs, own)
	}
}

func TestAuthorize(t *testing.T) {
	s := &Server{stopping: make(chan struct{})}
	p := Policy{OwnUID: 1000, GroupName: "pm", HasGroup: true, GroupID: 50}
	ctxFor := func(pi PeerInfo) context.Context {
		return peer.NewContext(context.Background(), &peer.Peer{AuthInfo: pi})
	}
	nobody := PeerInfo{Transport: "unix", UID: 65534, GID: 65534}
	if err := s.authorize(ctxFor(nobody), "/pm.v1.PM/List", p); err != nil {
		t.Errorf("List by nobody: %v", err)
	}
	err := s.authorize(ctxFor(nobody), "/pm.v1.PM/Start", p)
	wantStatus(t, err, codes.PermissionDenied, ReasonPermissionDenied, "")
	if msg := status.Convert(err).Message(); !strings.Contains(msg, "may only read") || !strings.Contains(msg, "group pm") {
		t.Errorf("got message %q, want it to say who may", msg)
	}
	if err := s.authorize(ctxFor(PeerInfo{Transport: "unix", Privileged: true}), "/pm.v1.PM/Start", p); err != nil {
		t.Errorf("Start by a privileged peer: %v", err)
	}
	err = s.authorize(ctxFor(PeerInfo{Transport: "tls"}), "/pm.v1.PM/Delete", p)
	if msg := status.Convert(err).Message(); !strings.Contains(msg, "mutual TLS") {
		t.Errorf("got %q, want a TLS peer told about client certificates", msg)
	}
	err = s.authorize(context.Background(), "/pm.v1.PM/Stop", p)
	wantStatus(t, err, codes.PermissionDenied, ReasonPermissionDenied, "")
	s.BeginShutdown()
	err = s.authorize(ctxFor(nobody), "/pm.v1.PM/List", p)
	wantStatus(t, err, codes.Unavailable, ReasonShuttingDown, "")
	if err := s.authorize(ctxFor(nobody), "/grpc.health.v1.Health/Check", p); err != nil {
		t.Errorf("health during shutdown: %v", err)
	}
}

func TestSocketMode(t *testing.T) {
	e := newEnv(t, envOpts{})
	fi, err := os.Stat(e.socket)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o666 {
		t.Errorf("got socket mode %v, want a socket with 0666", fi.Mode())
	}
	// A second listener on the same socket is refused; a stale socket
	// is replaced.
	if _, err := Listen(e.srv, Transport{Socket: e.socket}); err == nil || !strings.Contains(err.Error(), "another pmd") {
		t.Errorf("got %v, want another pmd listening", err)
	}
	stale := filepath.Join(t.TempDir(), "stale.sock")
	l, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	l2, err := Listen(e.srv, Transport{Socket: stale})
	if err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	l2.Stop(time.Second)
	if _, err := os.Lstat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left after Stop: %v", err)
	}
	notSock := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notSock, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(e.srv, Transport{Socket: notSock}); err == nil {
		t.Error("a regular file in the socket's place was not refused")
	}
}

func TestTCP(t *testing.T) {
	s := &Server{stopping: make(chan struct{})}
	if _, err := Listen(s, Transport{TCP: "0.0.0.0:0"}); !errors.Is(err, ErrInsecureTCP) {
		t.Errorf("plaintext on 0.0.0.0: got %v, want ErrInsecureTCP", err)
	}
	if _, err := Listen(s, Transport{TCP: "127.0.0.1:0", TLSClientCA: "ca.pem"}); err == nil {
		t.Error("a client CA without a certificate was not refused")
	}

	e := newEnv(t, envOpts{units: map[string]string{"a.service": "[Service]\nExecStart=/bin/sleep 1000\n"},
		transport: Transport{TCP: "127.0.0.1:0"}})
	addr := e.lis.Addrs()[1]
	c, err := client.Dial(client.Options{Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.List(e.ctx(), &pmv1.ListRequest{}); err != nil {
		t.Fatalf("List over plaintext TCP: %v", err)
	}
	_, err = c.Start(e.ctx(), &pmv1.JobRequest{Unit: "a"})
	wantStatus(t, err, codes.PermissionDenied, ReasonPermissionDenied, "")
}

func TestMutualTLS(t *testing.T) {
	dir := t.TempDir()
	files := writeCerts(t, dir)
	e := newEnv(t, envOpts{units: map[string]string{"a.service": "[Service]\nExecStart=/bin/sleep 1000\n"},
		transport: Transport{TCP: "127.0.0.1:0", TLSCert: files["server.pem"], TLSKey: files["server.key"], TLSClientCA: files["ca.pem"]}})
	addr := e.lis.Addrs()[1]
	c, err := client.Dial(client.Options{Address: addr, CAFile: files["ca.pem"], CertFile: files["client.pem"], KeyFile: files["client.key"]})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Start(e.ctx(), &pmv1.JobRequest{Unit: "a"}); err != nil {
		t.Fatalf("Start with a verified client certificate: %v", err)
	}
	anon, err := client.Dial(client.Options{Address: addr, CAFile: files["ca.pem"]})
	if err != nil {
		t.Fatal(err)
	}
	defer anon.Close()
	if _, err := anon.List(e.ctx(), &pmv1.ListRequest{}); status.Code(err) != codes.Unavailable {
		t.Errorf("without a client certificate: got %v, want the handshake refused (Unavailable)", err)
	}
}

// writeCerts makes a CA, a server certificate for 127.0.0.1 and a client
// certificate, and returns their files.
func writeCerts(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	write := func(name, typ string, der []byte) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		files[name] = p
	}
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	now := time.Now()
	caKey := newKey()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pm test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	write("ca.pem", "CERTIFICATE", caDER)
	for i, name := range []string{"server", "client"} {
		k := newKey()
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(i + 2)), Subject: pkix.Name{CommonName: name},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
		if name == "server" {
			tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		} else {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		write(name+".pem", "CERTIFICATE", der)
		kder, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		write(name+".key", "EC PRIVATE KEY", kder)
	}
	return files
}

// rawCodec sends bytes as they are.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(b []byte, v any) error {
	*(v.(*[]byte)) = append([]byte(nil), b...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

// TestMalformed sends what no client library would: bytes that are not
// a request, an unknown method, a huge field number; pmd answers each
// with an error and goes on.
func TestMalformed(t *testing.T) {
	e := newEnv(t, envOpts{})
	conn, err := grpc.NewClient("unix://"+e.socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	call := func(method string, body []byte) error {
		var out []byte
		return conn.Invoke(e.ctx(), method, &body, &out, grpc.ForceCodec(rawCodec{}))
	}
	tests := []struct {
		name   string
		method string
		body   []byte
		code   codes.Code
	}{
		{"not protobuf", "/pm.v1.PM/List", []byte{0xff, 0xff, 0xff}, codes.Internal},
		{"truncated", "/pm.v1.PM/Describe", []byte{0x0a, 0x10, 'w'}, codes.Internal},
		{"unknown method", "/pm.v1.PM/Explode", nil, codes.Unimplemented},
		{"unknown service", "/pm.v9.PM/List", nil, codes.Unimplemented},
		{"empty describe", "/pm.v1.PM/Describe", nil, codes.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := status.Code(call(tt.method, tt.body)); got != tt.code {
				t.Errorf("got %v, want %v", got, tt.code)
			}
		})
	}
	if err := e.c.Ping(e.ctx()); err != nil {
		t.Fatalf("pmd unhealthy after malformed requests: %v", err)
	}
}
