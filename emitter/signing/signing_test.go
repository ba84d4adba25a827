package signing_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/flagscan/flagscan/emitter/signing"
)

// The example of the Standard Webhooks specification.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSpecificationExample(t *testing.T) {
	k, err := signing.NewKey(specSecret)
	if err != nil {
		t.Fatal(err)
	}
	if got := k.Sign(specID, time.Unix(specTimestamp, 0), []byte(specBody)); got != specSignature {
		t.Errorf("Sign = %s, want %s", got, specSignature)
	}
}

func TestReferenceLibraryVerifies(t *testing.T) {
	secret := specSecret
	k, _ := signing.NewKey(secret)
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"event":"Flag.new","flag_key":"checkout","date":"2005-08-15T15:52:01+00:00"}`)
	h := http.Header{}
	k.SetHeaders(h, "evt_1", time.Now(), body)
	if err := wh.Verify(body, h); err != nil {
		t.Fatalf("reference library: %v", err)
	}
	// And ours agrees with it, both ways.
	if err := k.Verify(h, body, time.Now(), signing.DefaultTolerance); err != nil {
		t.Fatal(err)
	}
	ref, _ := wh.Sign("evt_2", time.Now(), body)
	h2 := http.Header{}
	h2.Set("webhook-id", "evt_2")
	h2.Set("webhook-timestamp", fmt.Sprint(time.Now().Unix()))
	h2.Set("webhook-signature", "v1,bm90IGl0 "+ref) // several signatures, space-separated
	if err := k.Verify(h2, body, time.Now(), signing.DefaultTolerance); err != nil {
		t.Fatalf("Verify of the reference library's signature: %v", err)
	}
	// A changed byte, id or timestamp breaks it.
	if err := wh.Verify(append(body, ' '), h); err == nil {
		t.Error("reference library accepted a changed body")
	}
	h.Set("webhook-id", "evt_other")
	if err := k.Verify(h, body, time.Now(), 0); err == nil {
		t.Error("Verify accepted another id")
	}
}

func TestVerifyTimestamps(t *testing.T) {
	k, _ := signing.NewKey(specSecret)
	body := []byte(`{}`)
	for _, tc := range []struct {
		at   time.Duration
		want error
	}{{-10 * time.Minute, signing.ErrTooOld}, {10 * time.Minute, signing.ErrTooNew}, {-time.Minute, nil}} {
		h := http.Header{}
		k.SetHeaders(h, "id", time.Now().Add(tc.at), body)
		if err := k.Verify(h, body, time.Now(), signing.DefaultTolerance); err != tc.want {
			t.Errorf("timestamp %s from now: %v, want %v", tc.at, err, tc.want)
		}
	}
	if err := k.Verify(http.Header{}, body, time.Now(), 0); err != signing.ErrMissingHeaders {
		t.Errorf("no headers: %v", err)
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	for _, bad := range []string{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_!!!not base64", "whsec_"} {
		_, err := signing.NewKey(bad)
		if err == nil {
			t.Errorf("NewKey(%q) accepted", bad)
			continue
		}
		if strings.Contains(err.Error(), "MfKQ9") || strings.Contains(err.Error(), "not base64!") {
			t.Errorf("error quotes the secret: %v", err)
		}
	}
	k, _ := signing.NewKey(specSecret)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k)} {
		if strings.Contains(s, "MfKQ9") || strings.Contains(s, "[") {
			t.Errorf("a key printed as %q", s)
		}
	}
	h := http.Header{}
	signing.Key{}.SetHeaders(h, "id", time.Now(), nil)
	if h.Get("webhook-signature") != "" || h.Get("webhook-id") != "id" {
		t.Errorf("unsigned headers: %v", h)
	}
}
