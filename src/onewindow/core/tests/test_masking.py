from onewindow.core.masking import mask_citizen_id, mask_name, mask_phone


def test_masks_hide_the_middle():
    assert mask_citizen_id("11010519491231002X") == "1101**********002X"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("") == ""


def test_a_free_text_keeps_only_the_ends_of_numbers_and_masks_the_names_given():
    from onewindow.core.masking import mask_text

    text = (
        "我是李娜，身份证44010619900101123X，电话13800000011（也可打138-0013-8000、"
        "+86 139 1234 5678 或 020-38881234），银行卡6222020200112233445。"
    )
    assert mask_text(text, names=["李娜"]) == (
        "我是李*，身份证4401**********123X，电话138****0011（也可打138-****-8000、"
        "+86 139 **** 5678 或 020-****1234），银行卡6222***********3445。"
    )
    assert mask_text("１３８００１３８０００", names=()) == "１３８****８０００"
    assert mask_text("陈小明说陈小明", names=["陈小明", "", "李"]) == "陈*明说陈*明"
    # order numbers, dates and amounts are no personal data
    kept = "工单20261204000001于2026-12-04受理，罚款5000元，门牌191号"
    assert mask_text(kept) == kept
    assert mask_text(None) == ""
