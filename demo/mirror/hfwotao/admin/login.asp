<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>内部系统登录_卧涛科技</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
</head>
<body>
<div class="banner">卧涛专注高企申报|新产品鉴定|专利申请 安徽合肥项目申报专利代理服务中心 网址: hfwotao.com</div>
<div class="top-bar"><span>卧涛科技</span> <span class="top-links"><a href="http://www.gov.cn/">中国政府网</a> | <a href="https://www.most.gov.cn/">科学技术部</a> | <a href="/hfwotao/admin/login.asp">管理登录</a></span></div>
<div class="nav"><ul><li><a href="/hfwotao/index.html">网站首页</a></li><li><a href="/hfwotao/about.asp">关于卧涛</a></li><li><a href="/hfwotao/news.asp?classid=3">外省资讯</a></li><li><a href="/hfwotao/case.asp">成功案例</a></li><li><a href="/hfwotao/contact.asp">联系我们</a></li></ul></div>
<div class="container"><div class="sidebar"><h3>栏目导航</h3><ul><li><a href="/hfwotao/news.asp?classid=3">外省资讯</a></li><li><a href="/hfwotao/case.asp">成功案例</a></li></ul>
<div class="box"><h4>外省资讯<a class="more" href="/hfwotao/news.asp?classid=3">更多&gt;&gt;</a></h4></div></div><div class="main"><h2>内部系统登录</h2><p>本系统仅供内部工作人员使用，请输入用户名和密码。</p></div></div>
<div class="footer"><p><a href="/hfwotao/sitemap.asp">网站地图</a> | <a href="/hfwotao/contact.asp">联系我们</a></p><p>主办单位：卧涛科技  地址：合肥市高新区望江西路 电话：19855109130</p><p><a href="https://beian.miit.gov.cn/" target="_blank">皖ICP备2021008862号-1</a></p></div>
</body>
</html>
