
(function(){
function clear(c){document.querySelectorAll('.'+c).forEach(function(e){e.classList.remove(c)})}
function hit(){
clear('hit');var id=decodeURIComponent(location.hash.slice(1)),m,sel;if(!id)return;
if((m=/^c(\d+)$/.exec(id)))sel='mark[data-c~="'+m[1]+'"]';
else if(/^f\d+-\d+$/.test(id))sel='mark[data-f~="'+id+'"]';
else{var el=document.getElementById(id);if(el)el.classList.add('hit');return}
document.querySelectorAll(sel).forEach(function(e){e.classList.add('hit')})}
window.addEventListener('hashchange',hit);hit();
document.querySelectorAll('li.bullet').forEach(function(li){
li.addEventListener('mouseenter',function(){
document.querySelectorAll('mark[data-b~="'+li.dataset.pos+'"]').forEach(function(e){
e.classList.add('lit')})});
li.addEventListener('mouseleave',function(){clear('lit')})})
})();
