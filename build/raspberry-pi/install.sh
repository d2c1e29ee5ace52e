#!/usr/bin/env bash
# Install the ECG Review agent on Raspberry Pi OS (64-bit, Bookworm or later) as a systemd service.
# Run as root on the Pi from a checkout of this repository:  sudo bash build/raspberry-pi/install.sh
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root (sudo)" >&2; exit 1; }
src="$(cd "$(dirname "$0")/../.." && pwd)"

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  apt-get update && apt-get install -y nodejs npm
fi

id ecg-review >/dev/null 2>&1 || useradd --system --home /var/lib/ecg-review-agent --shell /usr/sbin/nologin ecg-review
install -d -o ecg-review -g ecg-review -m 0750 /var/lib/ecg-review-agent
install -d /opt/ecg-review
# Only what the agent needs: its sources, the domain core, the package manifest.
cp -r "$src/package.json" "$src/package-lock.json" "$src/src-agent" "$src/src-main" "$src/resources" /opt/ecg-review/
cd /opt/ecg-review
# tfjs-node is optional and needs libtensorflow for arm64; the wasm backend is used when it is absent.
npm ci --omit=dev --no-audit --no-fund

if [ ! -f /etc/default/ecg-review-agent ]; then
  cat > /etc/default/ecg-review-agent <<'CONF'
# Address to listen on: 0.0.0.0 to reach the agent from the LAN, 127.0.0.1 for local use only.
AGENT_HOST=0.0.0.0
AGENT_PORT=8765
AGENT_NAME=ecg-pi
# e.g. --source stdin --stdin-fs 360 --stdin-leads MLII,V5 --stdin-gain 200 (with the ADC piped in), or
# --source /var/lib/ecg-review-agent/demo/208 --loop for a demo replay.
AGENT_EXTRA_ARGS=
CONF
fi
install -m 0644 "$src/build/raspberry-pi/ecg-review-agent.service" /etc/systemd/system/ecg-review-agent.service
systemctl daemon-reload
systemctl enable --now ecg-review-agent
echo "installed; the pairing code is in: journalctl -u ecg-review-agent | grep 'pairing code'"
