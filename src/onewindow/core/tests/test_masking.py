from onewindow.core.masking import mask_citizen_id, mask_name, mask_phone


def test_masks_hide_the_middle():
    assert mask_citizen_id("11010519491231002X") == "1101**********002X"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("") == ""
