"""Entry point: `python app.py` serves Maillage with Socket.IO on HOST:PORT."""
from hub import create_app
from hub.extensions import socketio
from hub.security import UnbrandedRequestHandler

app = create_app()

if __name__ == "__main__":
    host, port = app.config["HOST"], app.config["PORT"]
    print(f"Maillage : http://{host}:{port}/", flush=True)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True,
                 request_handler=UnbrandedRequestHandler)
