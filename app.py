"""Entry point: `python app.py` serves Maillage with Socket.IO on HOST:PORT, and
delivers the outbox from a background thread."""
from hub import create_app
from hub.extensions import socketio
from hub.security import UnbrandedRequestHandler
from hub.worker import log_to_stderr, start_in_process

app = create_app()

if __name__ == "__main__":
    host, port = app.config["HOST"], app.config["PORT"]
    print(f"Maillage : http://{host}:{port}/", flush=True)
    # Here, not in create_app: tests, CLI commands and gunicorn workers start no sender
    # (production runs `flask --app app worker` as its own service).
    log_to_stderr()
    start_in_process(app)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True,
                 request_handler=UnbrandedRequestHandler)
