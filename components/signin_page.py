"""The HTML pages the web server itself answers with, before Streamlit: the sign-in page and the
"not found" page. Pure builders (text in, HTML out); every value is escaped, and nothing is
loaded from outside the machine (no fonts, scripts or images from the web)."""

from __future__ import annotations

from html import escape

STYLE = """
body{margin:0;background:#f4f6f5;color:#1f2a24;
 font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif}
main{max-width:440px;margin:8vh auto 4vh;background:#fff;border:1px solid #dfe5e1;
 border-radius:10px;padding:32px 36px;box-shadow:0 2px 10px rgba(0,0,0,.04)}
h1{font-size:22px;margin:0 0 4px;color:#1f6f43}
.sub{color:#5b6660;font-size:14px;margin:0 0 24px}
label{display:block;font-size:14px;margin:14px 0 6px}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:10px 12px;
 font-size:15px;border:1px solid #c9d3cd;border-radius:6px}
button,.sso{display:block;width:100%;margin-top:22px;padding:11px;font-size:16px;
 border-radius:6px;border:0;background:#1f6f43;color:#fff;cursor:pointer;text-align:center;
 text-decoration:none;box-sizing:border-box}
.sso{background:#fff;color:#1f6f43;border:1px solid #1f6f43;margin-top:12px}
.msg{background:#fdecea;color:#8a1c12;border-radius:6px;padding:10px 12px;font-size:14px}
.note{background:#eef6f1;color:#1f4d33;border-radius:6px;padding:10px 12px;font-size:14px}
table{border-collapse:collapse;width:100%;font-size:13px;margin-top:8px}
th,td{border-bottom:1px solid #e6ebe8;padding:5px 4px;text-align:left}
.demo{max-width:440px;margin:0 auto 6vh;font-size:13px;color:#3d4842;background:#fff;
 border:1px dashed #b7c6bd;border-radius:10px;padding:16px 20px}
.foot{text-align:center;color:#7a857f;font-size:12px;margin:18px 0}
"""


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
            f"<body>{body}</body></html>")


def signin_html(*, platform: str, csrf: str, base: str = "/", next_path: str = "/",
                username: str = "",
                message: str = "", notice: str = "", sso: bool = False,
                demo: list[tuple[str, str, str]] | None = None, demo_password: str = "") -> str:
    """The sign-in form. `message` is an error, `notice` a neutral note (e.g. signed out);
    `demo` lists (user name, role, jurisdiction) of the sample's demo accounts; `base` is the
    app's path on the server (server.baseUrlPath), ending in /."""
    parts = [f"<main><h1>{escape(platform)}</h1>",
             '<p class="sub">清洁生产审核监督平台 · 请登录</p>']
    if message:
        parts.append(f'<p class="msg" role="alert">{escape(message)}</p>')
    if notice:
        parts.append(f'<p class="note">{escape(notice)}</p>')
    parts.append(
        f'<form method="post" action="{escape(base, quote=True)}signin" autocomplete="off">'
        f'<input type="hidden" name="csrf" value="{escape(csrf, quote=True)}">'
        f'<input type="hidden" name="next" value="{escape(next_path, quote=True)}">'
        '<label for="username">用户名</label>'
        f'<input type="text" id="username" name="username" value="{escape(username, quote=True)}"'
        ' maxlength="64" required autofocus>'
        '<label for="password">密码</label>'
        '<input type="password" id="password" name="password" maxlength="128" required>'
        '<button type="submit">登录</button></form>')
    if sso:
        parts.append(f'<a class="sso" href="{escape(base, quote=True)}?sso=1">'
                     "使用统一身份认证登录</a>")
    parts.append("</main>")
    if demo:
        rows = "".join(f"<tr><td>{escape(u)}</td><td>{escape(r)}</td><td>{escape(j)}</td></tr>"
                       for u, r, j in demo)
        parts.append(
            '<section class="demo"><strong>样例数据 · 演示账号</strong>'
            f"<p>以下账号仅存在于样例数据库中，密码均为 <code>{escape(demo_password)}</code>。"
            "正式数据库没有任何默认账号。</p>"
            f"<table><tr><th>用户名</th><th>角色</th><th>辖区</th></tr>{rows}</table></section>")
    parts.append('<p class="foot">本系统仅供授权人员使用，所有操作均记入操作日志。</p>')
    return _page("登录 · 清洁生产审核监督平台", "".join(parts))


def not_found_html(base: str = "/") -> str:
    """One answer for a page that does not exist and a page the role may not open."""
    return _page("页面不存在", '<main><h1>页面不存在</h1><p class="sub">您访问的页面不存在，'
                 "或不在您的使用权限范围内。</p>"
                 f'<a class="sso" href="{escape(base, quote=True)}">返回首页</a></main>')


def unavailable_html(reason: str, base: str = "/") -> str:
    return _page("暂时无法登录", f'<main><h1>暂时无法登录</h1><p class="msg">{escape(reason)}</p>'
                 f'<a class="sso" href="{escape(base, quote=True)}signin">重试</a></main>')
