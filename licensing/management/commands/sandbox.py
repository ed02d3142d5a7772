"""``manage.py sandbox``: serve the local FlashStart stand-in until Ctrl-C."""

import threading

from django.core.management.base import BaseCommand, CommandError

from licensing.upstream.sandbox import server


class Command(BaseCommand):
    help = "Serve a local stand-in for the FlashStart customer-area API (until Ctrl-C)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
        parser.add_argument("--port", type=int, default=8765, help="port (8765; 0: any free)")
        parser.add_argument(
            "--key", default="sandbox-key", help="the X-API-KEY clients must send (sandbox-key)"
        )
        parser.add_argument(
            "--latency",
            type=float,
            default=0.0,
            help="seconds added to every vendor call, e.g. 0.3 for a vendor 300 ms away",
        )
        parser.add_argument(
            "--state-file",
            default=None,
            help="JSON file keeping customers, licences and credit across restarts",
        )

    def handle(self, *args, host, port, key, latency, state_file, **options) -> None:
        try:
            sandbox = server.start_sandbox(
                host=host, port=port, api_key=key, latency=latency, state_file=state_file
            )
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot start the sandbox: {exc}") from exc
        # The key is never printed: the operator chose it.
        self.stdout.write(f"FlashStart sandbox listening on {sandbox.url}")
        if latency:
            self.stdout.write(f"  adding {latency:g} s of latency to every call")
        if state_file:
            self.stdout.write(f"  state kept in {state_file}")
        self.stdout.write("Quit with CONTROL-C.")
        stopped = threading.Event()
        try:
            while not stopped.wait(timeout=1.0):
                pass
        except KeyboardInterrupt:
            self.stdout.write("Stopping the sandbox.")
        finally:
            sandbox.stop()
