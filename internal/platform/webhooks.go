package platform

import (
	"log/slog"
	"path/filepath"

	"github.com/v100video/v100/internal/platform/webhook"
)

// WebhookSecretName is the file of the data directory that keeps the
// webhook secret when none is configured.
const WebhookSecretName = "webhook.secret"

// webhooks returns the sender of cfg, nil without URLs, with its secret.
func webhooks(cfg webhook.Sender, data string, log *slog.Logger) (*webhook.Sender, error) {
	if len(cfg.URLs) == 0 {
		return nil, nil
	}
	if len(cfg.Secret) == 0 {
		path := filepath.Join(data, WebhookSecretName)
		secret, err := webhook.LoadSecret(path)
		if err != nil {
			return nil, err
		}
		cfg.Secret = secret
		log.Info("webhooks are signed with the secret in "+path, "urls", len(cfg.URLs))
	}
	return &cfg, nil
}
