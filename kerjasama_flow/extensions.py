"""Extension objects, created unbound; ``create_app`` binds them with ``init_app``."""

from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from kerjasama_flow.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()
# No limit applies unless a view asks for one (``accounts.views``: failed logins, reset mails).
limiter = Limiter(key_func=get_remote_address)
