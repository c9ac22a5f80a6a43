from onewindow.core.text import zh_text


def test_zh_text_prefers_chinese_then_any_language_then_the_default():
    assert zh_text({"zh": "身份证", "en": "ID card"}) == "身份证"
    assert zh_text({"en": "ID card"}) == "ID card"
    assert zh_text({"zh": ""}, default="id-card") == "id-card"
    assert zh_text("居住证") == "居住证"
    assert zh_text(None, default="fee") == "fee"
