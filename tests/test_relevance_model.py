"""The learned relevance model: the shipped data loads, scores are deterministic, training is reproducible,
short real-style notices pass and off-topic government notices do not; principal topics only."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from pipelines.classify.model import MODEL_JSON, MODEL_WEIGHTS, load_model, model_from_data
from pipelines.classify.record import classify_record
from pipelines.classify.vocabulary import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import train_relevance  # noqa: E402


def classify(title: str, text: str) -> dict:
    return classify_record({"title": title, "text": text, "incentives": []})


def test_shipped_model_loads_and_fits_its_settings() -> None:
    model = load_model()
    data = json.loads(MODEL_JSON.read_text(encoding="utf-8"))
    assert model.weights.shape == (3 * 2 ** data["text"]["bits"],)
    assert list(model.signals) == list(train_relevance.SIGNALS)
    assert data["cross_validation"]["chosen"]["threshold"] == load_vocabulary().relevance["threshold"]


def test_a_model_whose_weights_do_not_fit_is_refused() -> None:
    data = json.loads(MODEL_JSON.read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="weights, expected"):
        model_from_data(data, np.zeros(10), "relevance-model.json")


def test_scores_are_deterministic_and_explained() -> None:
    title, text = "关于开展2025年度高新技术企业认定工作的通知", "各区科技局:现将2025年度高新技术企业认定申报工作通知如下。"
    first, second = classify(title, text), classify(title, text)
    assert first["relevance"] == second["relevance"] and first["relevance_reasons"] == second["relevance_reasons"]
    assert first["relevance_reasons"][-1].startswith("model: ")
    assert any(reason.startswith("title names 高新技术企业") for reason in first["relevance_reasons"])


SHORT_NOTICES = {
    "district HTE application": (
        "",
        "各有关企业:\n根据省科技厅工作部署,现启动2025年度高新技术企业认定申报工作。请拟申报企业于7月15日前登录"
        "高新技术企业认定管理工作网完成注册并提交材料,区科技局将组织初审。联系人:王女士,电话:0731-8888xxxx。\n"
        "天心区科学技术局\n2025年6月3日"),
    "deadline extended for the cultivation pool": (
        "关于延长2025年市级高企培育库入库申报截止时间的通知",
        "因系统升级,原定于5月31日截止的高企培育库入库申报延长至6月20日,请各企业抓紧申报。"),
    "tech SME evaluation": (
        "关于做好2025年科技型中小企业评价工作的提示",
        "符合条件的企业请登录全国科技型中小企业信息服务平台自主评价,入库后可享受研发费用加计扣除政策。"),
    "incubator subsidy": (
        "关于拨付2024年度科技企业孵化器运营补贴的通知",
        "经审核,对我区3家市级以上科技企业孵化器给予运营补贴共计60万元,请各孵化器于10个工作日内提供收款账户。"),
}

OFF_TOPIC_NOTICES = {
    "work safety": ("关于开展2025年安全生产月活动的通知",
                    "各街道、各部门:今年6月是第24个全国安全生产月,请结合实际组织开展隐患排查和应急演练。"),
    "recruitment": ("区人力资源和社会保障局2025年公开招聘社区工作者公告",
                    "经研究,面向社会公开招聘社区工作者30名,报名时间为7月1日至7月5日。"),
    "flood control": ("关于做好2025年防汛抗旱工作的通知",
                      "各镇人民政府:入汛以来降雨偏多,请各地落实防汛责任制,加强水库巡查,确保安全度汛。"),
}


@pytest.mark.parametrize("case", sorted(SHORT_NOTICES))
def test_short_notices_about_the_subject_are_relevant(case: str) -> None:
    result = classify(*SHORT_NOTICES[case])
    assert result["is_relevant"], result["relevance_reasons"]


@pytest.mark.parametrize("case", sorted(OFF_TOPIC_NOTICES))
def test_off_topic_government_notices_are_not_relevant(case: str) -> None:
    result = classify(*OFF_TOPIC_NOTICES[case])
    assert not result["is_relevant"], result["relevance_reasons"]


def _examples() -> list[train_relevance.Example]:
    relevant = [("关于组织申报高新技术企业认定奖励的通知", "对首次认定的高新技术企业给予20万元奖励。"),
                ("科技型中小企业评价入库工作提示", "请符合条件的科技型中小企业完成评价。"),
                ("高新区2025年工作要点", "推动高新区提质增效,培育高新技术企业。"),
                ("孵化器绩效评价结果公示", "对优秀科技企业孵化器给予奖励。")]
    other = [("防汛工作通知", "请各镇做好防汛准备。"), ("公开招聘公告", "招聘工作人员10名。"),
             ("食品安全抽检计划", "全年抽检食品1万批次。"), ("垃圾分类宣传周活动", "开展垃圾分类进社区活动。")]
    records = [({"title": t, "text": b}, True) for t, b in relevant] + [({"title": t, "text": b}, False) for t, b in other]
    return [train_relevance.example_of(record, str(i), label, group=i) for i, (record, label) in enumerate(records)]


def test_training_is_deterministic(tmp_path: Path) -> None:
    written = []
    for run in ("a", "b"):
        data, weights = train_relevance.train(_examples(), grid=(1.0,), folds=2, target=0.75)
        json_path, weights_path = tmp_path / f"{run}.json", tmp_path / f"{run}.npy"
        train_relevance.write_model(data, weights, json_path, weights_path)
        written.append((json_path.read_bytes(), weights_path.read_bytes()))
        assert load_model.__wrapped__(json_path, weights_path).score("高新技术企业认定", "", {
            name: 0.0 for name in train_relevance.SIGNALS})[0] > 0.5
    assert written[0] == written[1]


def test_threshold_line_is_rewritten_in_place(tmp_path: Path) -> None:
    path = tmp_path / "relevance.yaml"
    path.write_text("# chosen for recall\nthreshold: 0.4\nweights: {}\n", encoding="utf-8")
    train_relevance.write_threshold(0.27, path)
    assert path.read_text(encoding="utf-8") == "# chosen for recall\nthreshold: 0.27\nweights: {}\n"


def test_shipped_files_exist_as_data() -> None:
    assert MODEL_JSON.suffix == ".json" and MODEL_WEIGHTS.suffix == ".npy"
    assert np.load(MODEL_WEIGHTS, allow_pickle=False).dtype == np.float32


# --- principal topics ------------------------------------------------------------------------------

def test_conditions_listed_in_passing_are_not_topics() -> None:
    text = ("各区科技局:\n现就2025年度高新技术企业认定工作通知如下。\n一、申报条件:企业须拥有核心知识产权,"
            "近三年研究开发费用占销售收入比例符合要求。\n二、高新技术企业认定实行网上申报,请于6月30日前提交。\n"
            "三、通过认定的高新技术企业按规定享受税收优惠。")
    result = classify("关于开展2025年度高新技术企业认定工作的通知", text)
    assert result["topics"] == ["hitech-enterprise"], result["classification_reasons"]["topics"]


def test_the_opening_names_the_topic_of_an_untitled_notice() -> None:
    text = ("根据《科技型中小企业评价办法》和《科技型中小企业评价服务工作指引》,现将本市2025年第二批拟入库科技型中小企业"
            "名单予以公示,公示期为10个工作日,如有异议请书面反映。")
    assert classify("", text)["topics"] == ["tech-sme"]
