"""feeds/mailer.py against a real SMTP server (aiosmtpd on 127.0.0.1): settings, sending, each kind of failure."""
from __future__ import annotations

from email.message import EmailMessage
from typing import Any, Iterator

import pytest
from aiosmtpd.smtp import AuthResult

from feeds.mailer import Mailer, SendError, SmtpSettings, send_message
from tests.support.mirror import refusing_port
from tests.support.smtp import Recorder, SmtpServer

PASSWORD = "s3cret-Pa55word"



@pytest.fixture()
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer(Recorder()) as server:
        yield server


def message(*to: str, subject: str = "湖南省 3 条新政策") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "digest@example.org"
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg.set_content("正文")
    return msg


# ---------------------------------------------------------------------------------------------
# settings
# ---------------------------------------------------------------------------------------------

def test_settings_from_env_override_config() -> None:
    env = {"POLICYWATCH_SMTP_HOST": "mail.example.org", "POLICYWATCH_SMTP_USER": "pw",
           "POLICYWATCH_SMTP_PASSWORD": PASSWORD, "POLICYWATCH_SMTP_SECURITY": "SSL"}
    config = {"host": "ignored.example.org", "from": "digest@example.org", "timeout": "12"}
    settings = SmtpSettings.from_env(env, config)
    assert (settings.host, settings.port, settings.security, settings.user, settings.password,
            settings.from_addr, settings.timeout) == ("mail.example.org", 465, "ssl", "pw", PASSWORD,
                                                      "digest@example.org", 12.0)
    assert PASSWORD not in repr(settings) and "password" not in repr(settings)


def test_settings_defaults_and_errors() -> None:
    settings = SmtpSettings.from_env({})
    assert (settings.host, settings.port, settings.security) == ("localhost", 587, "starttls")
    with pytest.raises(ValueError, match="security"):
        SmtpSettings.from_env({"POLICYWATCH_SMTP_SECURITY": "tls-please"})
    with pytest.raises(ValueError, match="port"):
        SmtpSettings.from_env({"POLICYWATCH_SMTP_PORT": "twenty-five"})
    with pytest.raises(ValueError, match="without a user"):
        SmtpSettings.from_env({"POLICYWATCH_SMTP_PASSWORD": PASSWORD})


# ---------------------------------------------------------------------------------------------
# sending
# ---------------------------------------------------------------------------------------------

def test_send_message_delivers(smtp: SmtpServer) -> None:
    send_message(smtp.settings(), message("a@example.org", "用户@例子.中国"))
    [got] = smtp.recorder.messages
    assert got["rcpt"] == ["a@example.org", "用户@例子.中国"]
    assert got["from"] == "digest@example.org"
    assert got["message"]["Subject"] == "湖南省 3 条新政策"


def test_connection_refused_is_temporary() -> None:
    with refusing_port() as port, pytest.raises(SendError) as caught:
        send_message(SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=5), message("a@example.org"))
    assert (caught.value.temporary, caught.value.code, caught.value.stage, caught.value.refused) == \
        (True, None, "connect", {})
    assert "cannot connect" in str(caught.value)


def test_451_on_data_is_temporary_then_recovers() -> None:
    with SmtpServer(Recorder(data_replies=["451 4.3.0 try again later"])) as server:
        with pytest.raises(SendError) as caught:
            send_message(server.settings(), message("a@example.org"))
        assert (caught.value.temporary, caught.value.code, caught.value.stage) == (True, 451, "data")
        send_message(server.settings(), message("a@example.org"))
        assert len(server.recorder.messages) == 1


def test_550_for_one_recipient_lists_it() -> None:
    with SmtpServer(Recorder(refuse={"gone@example.org": "550 5.1.1 no such user"})) as server:
        with pytest.raises(SendError) as caught:
            send_message(server.settings(), message("gone@example.org"))
        assert (caught.value.temporary, caught.value.code, caught.value.partial) == (False, 550, False)
        assert caught.value.refused == {"gone@example.org": (550, "5.1.1 no such user")}
        with pytest.raises(SendError) as partly:
            send_message(server.settings(), message("a@example.org", "gone@example.org"))
        assert partly.value.partial and list(partly.value.refused) == ["gone@example.org"]
        assert [m["rcpt"] for m in server.recorder.messages] == [["a@example.org"]]


def test_login_failure_never_shows_the_password() -> None:
    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        return AuthResult(success=False, handled=False)

    with SmtpServer(Recorder(), authenticator=authenticator, auth_require_tls=False) as server:
        with pytest.raises(SendError) as caught:
            send_message(server.settings(user="pw", password=PASSWORD), message("a@example.org"))
        assert (caught.value.stage, caught.value.temporary, caught.value.code) == ("auth", False, 535)
        assert PASSWORD not in str(caught.value) and PASSWORD not in repr(caught.value.args)
        with pytest.raises(SendError, match="ASCII") as unicode_password:
            send_message(server.settings(user="pw", password="密码" + PASSWORD), message("a@example.org"))
        assert PASSWORD not in str(unicode_password.value)
    assert server.recorder.messages == []


def test_one_connection_many_messages(smtp: SmtpServer) -> None:
    with Mailer(smtp.settings()) as mailer:
        for n in range(3):
            mailer.send(message(f"r{n}@example.org"))
    assert [m["rcpt"] for m in smtp.recorder.messages] == [[f"r{n}@example.org"] for n in range(3)]


def test_password_over_plain_smtp_only_to_loopback() -> None:
    with pytest.raises(ValueError, match="clear text; use starttls or ssl") as caught:
        SmtpSettings(host="mail.example.org", port=25, security="none", user="pw", password=PASSWORD)
    assert PASSWORD not in str(caught.value)
    with pytest.raises(ValueError, match="clear text"):
        SmtpSettings.from_env({"POLICYWATCH_SMTP_HOST": "10.0.0.5", "POLICYWATCH_SMTP_SECURITY": "none",
                               "POLICYWATCH_SMTP_USER": "pw", "POLICYWATCH_SMTP_PASSWORD": PASSWORD})
    for host in ("localhost", "127.0.0.1", "::1"):
        assert SmtpSettings(host=host, port=25, security="none", user="pw", password=PASSWORD).user == "pw"
    assert SmtpSettings(host="mail.example.org", port=25, security="none").user is None  # no login, no password


# ---------------------------------------------------------------------------------------------
# stepwise sending: what is definite, what is not
# ---------------------------------------------------------------------------------------------

def test_before_data_runs_once_after_the_envelope_and_only_then(smtp: SmtpServer) -> None:
    seen: list[int] = []
    with Mailer(smtp.settings()) as mailer:
        mailer.send(message("a@example.org"), before_data=lambda: seen.append(len(smtp.recorder.messages)))
    assert seen == [0] and len(smtp.recorder.messages) == 1
    refused: list[str] = []
    with SmtpServer(Recorder(refuse={"gone@example.org": "550 5.1.1 no such user"})) as server:
        with pytest.raises(SendError) as caught, Mailer(server.settings()) as mailer:
            mailer.send(message("gone@example.org"), before_data=lambda: refused.append("called"))
    assert refused == [] and (caught.value.stage, caught.value.uncertain) == ("recipients", False)


def test_an_exception_in_before_data_aborts_the_message_and_keeps_the_connection(smtp: SmtpServer) -> None:
    class Stop(Exception):
        pass

    def stop() -> None:
        raise Stop

    with Mailer(smtp.settings()) as mailer:
        with pytest.raises(Stop):
            mailer.send(message("a@example.org"), before_data=stop)
        mailer.send(message("b@example.org"))
    assert [m["rcpt"] for m in smtp.recorder.messages] == [["b@example.org"]]


def test_a_reply_lost_after_the_whole_message_is_uncertain() -> None:
    recorder = Recorder(block_at=1, commit_first=True)  # keeps the message, then never answers in time
    with SmtpServer(recorder) as server:
        with pytest.raises(SendError) as caught:
            send_message(server.settings(timeout=1.0), message("a@example.org"))
        assert len(recorder.messages) == 1
    assert (caught.value.uncertain, caught.value.temporary, caught.value.stage) == (True, True, "data")
    assert "may or may not" in str(caught.value)


def test_a_4xx_reply_to_data_is_definite() -> None:
    with SmtpServer(Recorder(data_replies=["451 4.3.0 try again later"])) as server:
        with pytest.raises(SendError) as caught:
            send_message(server.settings(), message("a@example.org"))
    assert (caught.value.uncertain, caught.value.code) == (False, 451)


def test_idn_domains_go_as_punycode_and_utf8_mailboxes_need_smtputf8() -> None:
    with SmtpServer(Recorder(), enable_SMTPUTF8=False) as server:
        with Mailer(server.settings()) as mailer:
            mailer.send(message("li@例子.中国"))
            with pytest.raises(SendError) as caught:
                mailer.send(message("用户@例子.中国"))
            mailer.send(message("b@example.org"))  # same connection, still usable
            with pytest.raises(SendError) as partly:
                mailer.send(message("c@example.org", "用户@example.org"))
    assert [m["rcpt"] for m in server.recorder.messages] == [["li@xn--fsqu00a.xn--fiqs8s"], ["b@example.org"],
                                                             ["c@example.org"]]
    assert (caught.value.temporary, caught.value.code, caught.value.stage) == (False, 553, "recipients")
    assert list(caught.value.refused) == ["用户@例子.中国"]
    assert partly.value.partial and list(partly.value.refused) == ["用户@example.org"]
