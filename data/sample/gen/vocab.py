"""The generator's own vocabulary: a frozen copy of the ledger/glossary.py and ledger/forms.py tables it
writes from (as of commit 36cdfc0, when data/sample/ledgers was last generated).

Why a copy and not ``from ledger import glossary``: the sample is a fixed test artefact that the importer
and analytics are checked against, and tests/test_sample_regenerates.py demands that this package gives
the committed files byte for byte. Reading ledger/'s tables made every new synonym there (e.g. 衔接补助,
东西部协作 in 7db550e) shift the random header choices and silently change all 471 files. With the copy,
ledger/ can learn new words freely; if it ever drops or renames one written here, the sample-import tests
(tests/test_sample_data.py) fail, which is the point: the sample keeps speaking the ledgers' old words.

FORM_HEADERS keeps, per form and field, the official header first and then only those accepted synonyms
that the generator can write (``Style.head`` and the 政企互动 sheet only ask "is this variant accepted here,
else the official one").
"""
from __future__ import annotations

# ruff: noqa: E501

TOWNS = {'八步街道': '451102001',
 '城东街道': '451102002',
 '江南街道': '451102003',
 '贺街镇': '451102100',
 '步头镇': '451102101',
 '莲塘镇': '451102102',
 '大宁镇': '451102103',
 '南乡镇': '451102104',
 '桂岭镇': '451102105',
 '开山镇': '451102106',
 '里松镇': '451102107',
 '仁义镇': '451102108',
 '信都镇': '451102109',
 '灵峰镇': '451102110',
 '铺门镇': '451102111'}

DEPARTMENTS = ['区农业农村局', '区乡村振兴局', '区林业局', '区水利局', '区商务局', '区文化广电体育和旅游局', '区人力资源和社会保障局', '区供销社', '区发展和改革局', '区工业和信息化局']

DEPARTMENT_ALIASES = {'农业农村局': '区农业农村局',
 '八步区农业农村局': '区农业农村局',
 '乡村振兴局': '区乡村振兴局',
 '林业局': '区林业局',
 '水利局': '区水利局',
 '商务局': '区商务局',
 '文旅局': '区文化广电体育和旅游局',
 '文化广电体育和旅游局': '区文化广电体育和旅游局',
 '人社局': '区人力资源和社会保障局',
 '人力资源和社会保障局': '区人力资源和社会保障局',
 '供销社': '区供销社',
 '发改局': '区发展和改革局',
 '发展和改革局': '区发展和改革局',
 '工信局': '区工业和信息化局'}

FUND_SOURCES = {'poverty_special': '财政专项扶贫资金',
 'integrated_agri': '统筹整合财政涉农资金',
 'lottery': '彩票公益金',
 'gov_bond': '用于支持脱贫攻坚的政府债券',
 'industry': '行业扶贫资金',
 'linkage': '各级财政衔接推进乡村振兴补助资金',
 'guangdong': '广东帮扶广西财政协作资金',
 'central_unit': '中央单位定点帮扶无偿援助资金',
 'donation': '社会捐赠资金'}

FUND_SOURCE_SHORT = {'poverty_special': '专项扶贫',
 'integrated_agri': '统筹整合',
 'lottery': '彩票公益金',
 'gov_bond': '政府债券',
 'industry': '行业扶贫',
 'linkage': '衔接资金',
 'guangdong': '粤桂协作',
 'central_unit': '定点帮扶',
 'donation': '社会捐赠'}

FUND_SOURCE_SYNONYMS = {'poverty_special': ['财政专项扶贫资金', '专项扶贫资金', '财政专项扶贫', '专项扶贫'],
 'integrated_agri': ['统筹整合财政涉农资金', '统筹整合资金', '整合资金', '统筹整合', '涉农整合资金'],
 'lottery': ['彩票公益金', '公益金'],
 'gov_bond': ['用于支持脱贫攻坚的政府债券', '政府债券', '地方政府债券', '债券资金'],
 'industry': ['行业扶贫资金', '行业扶贫'],
 'linkage': ['各级财政衔接推进乡村振兴补助资金', '衔接推进乡村振兴补助资金', '财政衔接资金', '衔接资金', '衔接补助资金'],
 'guangdong': ['广东帮扶广西财政协作资金', '粤桂扶贫协作资金', '粤桂协作资金', '东西部协作资金', '粤桂协作', '广东帮扶资金'],
 'central_unit': ['中央单位定点帮扶无偿援助资金', '中央单位定点帮扶资金', '定点帮扶资金', '定点帮扶'],
 'donation': ['社会捐赠资金', '社会捐赠', '捐赠资金']}

THREE_FAILURES = ('built_not_finished', 'finished_not_used', 'used_not_well')

PROBLEMS = {'built_not_finished': '建而不成',
 'finished_not_used': '成而不用',
 'used_not_well': '用而不好',
 'feasibility': '可行性研究/尽职调查/风险评估不符合要求',
 'intake_irregular': '项目入库程序不规范',
 'not_accepted': '完工项目未及时验收及结算',
 'rights_irregular': '资产确权登记不规范',
 'enterprise_share': '企业出资比例不足',
 'no_joint_account': '未设立共管账户',
 'fund_risk': '财政资金存在风险隐患',
 'other': '其他'}

GRADES = {'red': '红', 'yellow': '黄', 'green': '绿'}

ASSET_TYPES = {'operating': '经营性', 'public': '公益性', 'household': '到户类'}

BUILD_STATUS = {'not_started': '未开工', 'under_construction': '在建', 'suspended': '停工', 'completed': '已完工', 'accepted': '已验收'}

OP_STATUS = {'not_operating': '未运营', 'trial': '试运营', 'normal': '正常运营', 'halted': '停产', 'idle': '闲置'}

DISPOSAL = {'consolidate': '巩固一批', 'upgrade': '提升一批', 'revitalise': '盘活一批', 'restart': '另起炉灶一批'}

SIGNOFF_STATUS = {'none': '未申请',
 'applied': '已申请',
 'self_evaluated': '县自评',
 'accepted': '已验收',
 'signed_off': '已销号',
 'rejected': '未通过'}

TASK_STATUS = {'not_started': '未开始', 'in_progress': '推进中', 'done': '已完成'}

SENSITIVE = {'farmland': '违法违规占用耕地', 'roadside': '“两高两道”沿线'}

PRETREATMENT = {'delisting': '摘牌', 'recultivation': '复耕复种'}

SIGNOFF_CHECKLIST = {'construction_accepted': '建设完成并竣工验收',
 'assets_registered': '资产确权登记并移交',
 'operator_contract': '运营主体及合同落实',
 'in_production': '投产运营',
 'revenue_evidenced': '收益及分红有佐证',
 'linkage_ledger': '联农带农台账齐全',
 'joint_account': '设立共管账户',
 'pretreatment_done': '敏感问题预处理完成'}

INTERACTION_KIND = {'request': '诉求', 'suggestion': '建议'}

INTERACTION_STATUS = {'pending': '待办理', 'in_progress': '办理中', 'answered': '已答复', 'closed': '已办结'}

FORM_HEADERS = {'progress': {'seq': ('序号',),
              'town': ('乡镇(街道)', '乡镇（街道）', '乡镇', '所属乡镇', '乡镇街道', '所在乡镇'),
              'village': ('行政村', '所在村', '村(社区)', '行政村(社区)'),
              'project_code': ('项目编号', '项目编码', '项目代码', '项目库编号'),
              'name': ('项目名称',),
              'build_year': ('建设年度', '实施年度', '项目年度', '立项年度'),
              'category': ('项目类别', '项目类型', '产业类别'),
              'asset_type': ('资产类别', '资产类型', '资产性质'),
              'department': ('项目主管部门', '主管部门', '主管单位', '行业主管部门', '项目主管单位'),
              'implementer': ('实施单位', '项目实施单位', '建设单位'),
              'operator': ('运营主体', '经营主体', '运营单位'),
              'high_concern': ('社会关注度高', '是否社会关注度高'),
              'total_investment_wan': ('总投资', '项目总投资', '投资总额'),
              'fund_poverty_special': ('财政专项扶贫资金', '专项扶贫资金', '财政专项扶贫', '专项扶贫'),
              'fund_integrated_agri': ('统筹整合财政涉农资金', '统筹整合资金', '整合资金', '统筹整合', '涉农整合资金'),
              'fund_lottery': ('彩票公益金', '公益金'),
              'fund_gov_bond': ('用于支持脱贫攻坚的政府债券', '政府债券', '地方政府债券', '债券资金'),
              'fund_industry': ('行业扶贫资金', '行业扶贫'),
              'fund_linkage': ('各级财政衔接推进乡村振兴补助资金', '衔接推进乡村振兴补助资金', '财政衔接资金', '衔接资金', '衔接补助资金'),
              'fund_guangdong': ('广东帮扶广西财政协作资金', '粤桂扶贫协作资金', '粤桂协作资金', '东西部协作资金', '粤桂协作', '广东帮扶资金'),
              'fund_central_unit': ('中央单位定点帮扶无偿援助资金', '中央单位定点帮扶资金', '定点帮扶资金', '定点帮扶'),
              'fund_donation': ('社会捐赠资金', '社会捐赠', '捐赠资金'),
              'fund_year': ('资金年度', '资金下达年度', '资金安排年度'),
              'enterprise_funds_wan': ('企业出资', '企业自筹', '企业投入'),
              'paid_wan': ('已支付', '已拨付', '累计支付', '已拨付资金'),
              'build_status': ('建设状态', '建设情况', '项目建设状态'),
              'op_status': ('运营状态', '运营情况', '经营状态'),
              'planned_completion': ('计划完成时间', '计划完工时间', '计划竣工时间'),
              'completion_accepted_on': ('竣工验收日期', '竣工验收时间', '验收日期', '验收时间'),
              'settled': ('是否结算', '是否完成结算'),
              'rights_registered': ('是否确权', '是否完成确权'),
              'joint_account': ('是否设立共管账户', '共管账户'),
              'progress_text': ('本期进展情况', '工作进展', '本期进展'),
              'substantive_progress': ('是否实质性进展', '有无实质性进展'),
              'issues_text': ('存在问题', '存在的问题', '主要问题'),
              'next_steps': ('下步措施', '下一步措施', '下步工作措施'),
              'reported_on': ('报送日期', '填报日期')},
 'risk': {'seq': ('序号',),
          'town': ('乡镇(街道)', '乡镇（街道）', '乡镇', '所属乡镇', '乡镇街道', '所在乡镇'),
          'village': ('行政村', '所在村', '村(社区)', '行政村(社区)'),
          'project_code': ('项目编号', '项目编码', '项目代码', '项目库编号'),
          'name': ('项目名称',),
          'build_year': ('建设年度', '实施年度', '项目年度', '立项年度'),
          'category': ('项目类别', '项目类型', '产业类别'),
          'asset_type': ('资产类别', '资产类型', '资产性质'),
          'department': ('项目主管部门', '主管部门', '主管单位', '行业主管部门', '项目主管单位'),
          'implementer': ('实施单位', '项目实施单位', '建设单位'),
          'operator': ('运营主体', '经营主体', '运营单位'),
          'high_concern': ('社会关注度高', '是否社会关注度高'),
          'total_investment_wan': ('总投资', '项目总投资', '投资总额'),
          'funds_wan': ('扶贫资金帮扶资金', '帮扶资金', '使用扶贫资金帮扶资金'),
          'fund_poverty_special': ('财政专项扶贫资金', '专项扶贫资金', '财政专项扶贫', '专项扶贫'),
          'fund_integrated_agri': ('统筹整合财政涉农资金', '统筹整合资金', '整合资金', '统筹整合', '涉农整合资金'),
          'fund_lottery': ('彩票公益金', '公益金'),
          'fund_gov_bond': ('用于支持脱贫攻坚的政府债券', '政府债券', '地方政府债券', '债券资金'),
          'fund_industry': ('行业扶贫资金', '行业扶贫'),
          'fund_linkage': ('各级财政衔接推进乡村振兴补助资金', '衔接推进乡村振兴补助资金', '财政衔接资金', '衔接资金', '衔接补助资金'),
          'fund_guangdong': ('广东帮扶广西财政协作资金', '粤桂扶贫协作资金', '粤桂协作资金', '东西部协作资金', '粤桂协作', '广东帮扶资金'),
          'fund_central_unit': ('中央单位定点帮扶无偿援助资金', '中央单位定点帮扶资金', '定点帮扶资金', '定点帮扶'),
          'fund_donation': ('社会捐赠资金', '社会捐赠', '捐赠资金'),
          'fund_year': ('资金年度', '资金下达年度', '资金安排年度'),
          'problems': ('问题类型', '存在问题类型', '问题分类'),
          'problem_detail': ('具体问题', '问题描述', '存在的具体问题'),
          'grade': ('风险等级', '风险级别', '预警等级', '风险等级(红黄绿)'),
          'graded_on': ('认定日期', '认定时间', '定级日期', '标识日期'),
          'sensitive': ('敏感问题', '重点敏感问题', '敏感类型'),
          'pretreatment': ('预处理情况', '预处理措施'),
          'pretreatment_done': ('预处理是否完成', '是否完成预处理'),
          'disposal': ('四个一批', '处置方式', '四个一批分类'),
          'revenue_wan': ('上年经营收入', '上年度经营收入', '上年收入'),
          'distribution_wan': ('收益分配', '收益分配金额', '分红金额'),
          'linkage_mode': ('联农带农方式', '带农方式', '利益联结方式'),
          'households': ('带动农户数', '带动农户', '联农带农户数', '受益农户数'),
          'households_exited': ('其中脱贫户', '脱贫户', '脱贫户数'),
          'households_monitored': ('监测户', '其中监测户', '监测户数'),
          'measures': ('整改措施', '整治措施'),
          'deadline': ('整改时限', '整改期限', '完成时限'),
          'resp_leader': ('责任领导',),
          'resp_unit': ('责任单位',),
          'resp_person': ('责任人',),
          'patrolled': ('是否巡查', '是否已巡查'),
          'signoff_status': ('降级销号情况', '降级销号状态', '销号状态'),
          'signoff_applied_on': ('销号申请日期', '申请日期', '申请时间'),
          'signoff_accepted_on': ('销号验收日期', '验收通过日期'),
          'reported_on': ('报送日期', '填报日期')},
 'tasks': {'seq': ('序号',),
           'project_code': ('项目编号', '项目编码', '项目代码'),
           'name': ('项目名称',),
           'task_seq': ('任务序号', '任务编号'),
           'problem': ('存在问题', '问题'),
           'measure': ('工作任务/具体措施', '工作任务', '具体措施', '整改措施'),
           'due_on': ('时间节点', '完成时限'),
           'lead_leader': ('责任领导',),
           'lead_unit': ('牵头单位',),
           'co_units': ('配合单位',),
           'owner': ('责任人',),
           'status': ('完成情况', '完成状态'),
           'done_on': ('完成日期', '实际完成时间')},
 'signoff': {'seq': ('序号',),
             'project_code': ('项目编号', '项目编码'),
             'name': ('项目名称',),
             'from_grade': ('原风险等级', '原等级', '降级前等级'),
             'to_grade': ('申请等级', '拟降为', '降级后等级'),
             'applied_on': ('申请日期', '申请时间'),
             'self_eval_on': ('自评日期', '县自评日期'),
             'accepted_on': ('验收日期', '验收时间'),
             'accepted_by': ('验收单位',),
             'route': ('验收程序', '验收方式'),
             'status': ('销号状态', '审核结果'),
             'evidence': ('佐证材料', '佐证材料清单'),
             'check_construction_accepted': ('建设完成并竣工验收',),
             'check_assets_registered': ('资产确权登记并移交',),
             'check_operator_contract': ('运营主体及合同落实',),
             'check_in_production': ('投产运营',),
             'check_revenue_evidenced': ('收益及分红有佐证',),
             'check_linkage_ledger': ('联农带农台账齐全',),
             'check_joint_account': ('设立共管账户',),
             'check_pretreatment_done': ('敏感问题预处理完成',)},
 'interactions': {'seq': ('序号',),
                  'project_code': ('项目编号', '项目编码', '项目代码', '项目库编号'),
                  'name': ('项目名称',),
                  'operator': ('经营主体', '运营主体', '运营单位'),
                  'raised_on': ('反映日期',),
                  'channel': ('方式',),
                  'kind': ('类型',),
                  'content': ('内容',),
                  'answer': ('答复情况', '答复内容'),
                  'answered_on': ('答复日期',),
                  'status': ('办理状态',),
                  'handler': ('承办单位', '责任单位')}}
