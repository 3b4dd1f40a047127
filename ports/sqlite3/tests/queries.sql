-- SPDX-License-Identifier: MIT
-- SQL for the sqlite3 shell on exo (ports/sqlite3/check) in an in-memory database: tables,
-- indexes, joins, recursive CTEs, window functions, JSON, dates, printf, transactions; the
-- output is compared with the same shell built by musl-gcc on Linux.
.headers on
.mode list
create table emp(id integer primary key, name text, dept text, salary real);
create index emp_dept on emp(dept);
with recursive n(i) as (select 1 union all select i + 1 from n where i < 500)
insert into emp(name, dept, salary) select 'e' || i, char(65 + i % 5), 1000 + (i * 37) % 900 from n;
select dept, count(*), round(avg(salary), 2), min(name), max(salary) from emp group by dept order by dept;
select name, salary, rank() over (partition by dept order by salary desc) as r from emp
	where dept = 'C' order by r, name limit 5;
create table dept(code text primary key, title text);
insert into dept values ('A', 'alpha'), ('B', 'beta'), ('C', 'gamma');
select d.title, count(e.id) from dept d left join emp e on e.dept = d.code group by d.code order by 1;
select json_object('n', 3, 'l', json_array(1, 2.5, 'x')), json_extract('{"a":{"b":[7,8]}}', '$.a.b[1]');
select date('2024-02-28', '+1 day'), strftime('%j %w', '2000-03-01'), julianday('2000-01-01');
select printf('%08.3f|%-6s|%x|%q', 3.14159, 'ab', 255, 'it''s'), upper('exo'), length(zeroblob(100));
select typeof(1), typeof(1.0), typeof('1'), typeof(x'01'), typeof(null), 7 / 2, 7 % 3, 1 << 40;
begin;
delete from emp where salary < 1500;
select count(*) from emp;
rollback;
select count(*), total(salary) from emp;
explain query plan select * from emp where dept = 'B';
pragma integrity_check;
