#!/usr/bin/env bash
# A private Dovecot IMAP server on 127.0.0.1 for tests and demos.
#
#   local-dovecot.sh start RUNDIR [SEED_DIR]
#   local-dovecot.sh stop RUNDIR
#
# start writes into RUNDIR a standalone dovecot.conf (it never reads /etc/dovecot and never
# touches the system service), a test CA and a server certificate for 127.0.0.1 and
# localhost, a passwd-file user, and a Maildir. When RUNDIR has no mailbox yet and SEED_DIR
# is given, SEED_DIR is copied in: each subfolder is an IMAP folder (`INBOX`,
# `Archive/2024`, `Entwürfe`), each `*.eml` file a message. Maildir flag letters go before
# `.eml` after a comma: `017,S.eml` is \Seen, `018,FS.eml` \Flagged and \Seen. A file's
# modification time (the IMAP internal date) is set from its Date header. A `.keep` file
# makes an empty folder.
#
# Environment (all optional):
#   IMAP_PORT, IMAPS_PORT   ports for IMAP with STARTTLS and for implicit TLS; free ones
#                           are picked when unset
#   HOPAUDIT_TEST_USER      default auditor
#   HOPAUDIT_TEST_PASSWORD  default test-Password-1
#   HOPAUDIT_TEST_TOKEN     OAuth access token accepted by XOAUTH2/OAUTHBEARER,
#                           default test-oauth-token-1
#
# Prints key=value lines: imap_port, imaps_port, host, user, password, token, ca_file,
# maildir, pid, log.
set -euo pipefail

usage() { echo "usage: local-dovecot.sh start RUNDIR [SEED_DIR] | stop RUNDIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
ACTION=$1
RUNDIR=$2
SEED_DIR=${3:-}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop() {
  local pidfile="$RUNDIR/run/master.pid"
  if [ -s "$pidfile" ]; then
    local pid
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
}

if [ "$ACTION" = stop ]; then stop; exit 0; fi
[ "$ACTION" = start ] || usage
command -v dovecot >/dev/null || [ -x /usr/sbin/dovecot ] || {
  echo "dovecot is not installed; on Debian or Ubuntu run: apt-get install dovecot-imapd" >&2
  exit 3
}
export PATH="$PATH:/usr/sbin"

USER_NAME=${HOPAUDIT_TEST_USER:-auditor}
PASSWORD=${HOPAUDIT_TEST_PASSWORD:-test-Password-1}
TOKEN=${HOPAUDIT_TEST_TOKEN:-test-oauth-token-1}
IMAP_PORT=${IMAP_PORT:-$(free_port)}
IMAPS_PORT=${IMAPS_PORT:-$(free_port)}

mkdir -p "$RUNDIR"
RUNDIR=$(cd "$RUNDIR" && pwd)
mkdir -p "$RUNDIR"/{run,state,log,tls}
chmod 755 "$RUNDIR" "$RUNDIR/run" "$RUNDIR/state"

if [ "$(id -u)" -eq 0 ]; then
  # As root, Dovecot wants unprivileged users for its login and internal processes, and
  # refuses to store mail as root.
  MAIL_UID=$(id -u nobody); MAIL_GID=$(getent group nogroup | cut -d: -f3)
  LOGIN_USER=dovenull; INTERNAL_USER=dovecot; LOGIN_CHROOT=login; ANVIL_CHROOT=empty
  FIRST_UID=1
else
  MAIL_UID=$(id -u); MAIL_GID=$(id -g)
  LOGIN_USER=$(id -un); INTERNAL_USER=$(id -un); LOGIN_CHROOT=""; ANVIL_CHROOT=""
  FIRST_UID=$MAIL_UID
fi

# Test CA and server certificate, both made here and trusted only through ca_file.
if [ ! -s "$RUNDIR/tls/server.pem" ]; then
  (
    cd "$RUNDIR/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 -keyout ca-key.pem \
      -out ca.pem -subj "/CN=hopaudit test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout server-key.pem -out server.csr \
      -subj "/CN=localhost" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext.cnf
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 \
      -sha256 -extfile ext.cnf -out server.pem 2>/dev/null
    chmod 600 ca-key.pem server-key.pem
  )
fi

printf '%s:{PLAIN}%s::::::\n' "$USER_NAME" "$PASSWORD" > "$RUNDIR/users"
printf '%s:{PLAIN}%s::::::\n' "$USER_NAME" "$TOKEN" > "$RUNDIR/tokens"
chmod 644 "$RUNDIR/users" "$RUNDIR/tokens"

cat > "$RUNDIR/dovecot.conf" <<EOF
# Written by local-dovecot.sh: a private test instance on 127.0.0.1.
instance_name = hopaudit-test-$IMAPS_PORT
base_dir = $RUNDIR/run
state_dir = $RUNDIR/state
log_path = $RUNDIR/log/dovecot.log
protocols = imap
listen = 127.0.0.1
shutdown_clients = yes
default_login_user = $LOGIN_USER
default_internal_user = $INTERNAL_USER
first_valid_uid = $FIRST_UID
ssl = yes
ssl_cert = <$RUNDIR/tls/server.pem
ssl_key = <$RUNDIR/tls/server-key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
# Dovecot 2.3 checks an XOAUTH2/OAUTHBEARER token like a password against the passdbs
# that allow those mechanisms: here a fixed test token.
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $RUNDIR/users
  mechanisms = plain login
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $RUNDIR/tokens
  mechanisms = xoauth2 oauthbearer
}
userdb {
  driver = static
  args = uid=$MAIL_UID gid=$MAIL_GID home=$RUNDIR/home/%n allow_all_users=yes
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
  }
  mailbox Trash {
    special_use = \\Trash
  }
  mailbox Archive/2024 {
    special_use = \\Archive
  }
}
mail_max_userip_connections = 100
service imap-login {
  chroot = $LOGIN_CHROOT
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
service anvil {
  chroot = $ANVIL_CHROOT
}
EOF

MAILDIR="$RUNDIR/home/$USER_NAME/Maildir"
if [ -n "$SEED_DIR" ] && [ ! -d "$MAILDIR" ]; then
  python3 - "$SEED_DIR" "$MAILDIR" <<'PY'
# Copies a folder tree of .eml files into a Maildir++ store (Dovecot's default layout:
# `.Archive.2024`, names in modified UTF-7 as on the wire).
import base64, email.utils, os, shutil, sys, time

seed, maildir = sys.argv[1], sys.argv[2]

def mutf7(name):
    out, pending = [], ""
    def flush():
        nonlocal pending
        if pending:
            b64 = base64.b64encode(pending.encode("utf-16-be")).decode().rstrip("=")
            out.append("&" + b64.replace("/", ",") + "-")
            pending = ""
    for c in name:
        if " " <= c <= "~":
            flush()
            out.append("&-" if c == "&" else c)
        else:
            pending += c
    flush()
    return "".join(out)

def date_of(path):
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace")
            if line.strip() == "":
                break
            if line.lower().startswith("date:"):
                try:
                    return email.utils.parsedate_to_datetime(line[5:].strip()).timestamp()
                except (TypeError, ValueError):
                    return None
    return None

counter = 0
for root, dirs, files in sorted(os.walk(seed)):
    dirs.sort()
    rel = os.path.relpath(root, seed)
    if rel == ".":
        continue
    if not files:
        continue  # a parent such as Archive/ stays a \Noselect hierarchy level
    parts = rel.split(os.sep)
    target = maildir if parts == ["INBOX"] else os.path.join(maildir, "." + ".".join(mutf7(p) for p in parts))
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(target, sub), exist_ok=True)
    for name in sorted(files):
        if not name.endswith(".eml"):
            continue
        stem = name[:-4]
        flags = stem.split(",", 1)[1] if "," in stem else ""
        counter += 1
        dest = os.path.join(target, "cur", "%d.M%dP1.seed:2,%s" % (1700000000 + counter, counter, "".join(sorted(flags))))
        shutil.copyfile(os.path.join(root, name), dest)
        stamp = date_of(dest) or time.time()
        os.utime(dest, (stamp, stamp))
PY
fi
mkdir -p "$MAILDIR"
chown -R "$MAIL_UID:$MAIL_GID" "$RUNDIR/home"

if [ -s "$RUNDIR/run/master.pid" ] && kill -0 "$(cat "$RUNDIR/run/master.pid")" 2>/dev/null; then
  echo "already running in $RUNDIR (pid $(cat "$RUNDIR/run/master.pid"))" >&2
  exit 1
fi
doveconf -c "$RUNDIR/dovecot.conf" -n >/dev/null
dovecot -c "$RUNDIR/dovecot.conf" </dev/null >>"$RUNDIR/log/startup.log" 2>&1
for _ in $(seq 1 100); do
  if python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1); sys.exit(0 if s.recv(100).startswith(b"* OK") else 1)' "$IMAP_PORT" 2>/dev/null; then
    break
  fi
  sleep 0.1
done
cat <<EOF
imap_port=$IMAP_PORT
imaps_port=$IMAPS_PORT
host=127.0.0.1
user=$USER_NAME
password=$PASSWORD
token=$TOKEN
ca_file=$RUNDIR/tls/ca.pem
maildir=$MAILDIR
pid=$(cat "$RUNDIR/run/master.pid")
log=$RUNDIR/log/dovecot.log
EOF
